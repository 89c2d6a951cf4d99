/*
 * target_argv: one function per kind of daemon; the option words of the
 * table go in after the daemon's own fixed words, before the source.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "target/target_argv.h"
#include "target/target_packaged.h"
#include "util/strbuf.h"

static void inject_prefix(const struct target_paths *p, const struct target_run *r,
			  struct strvec *argv)
{
	if (!r->ninject)
		return;
	strvec_push(argv, p->inject);
	strvec_push(argv, "exec");
	if (r->inject_log) {
		strvec_push(argv, "--log");
		strvec_push(argv, r->inject_log);
	}
	for (int i = 0; i < r->ninject; i++) {
		strvec_push(argv, "--fail");
		if (r->inject_armed && !strstr(r->inject[i], ":armed="))
			strvec_pushf(argv, "%s:armed=%s", r->inject[i], r->inject_armed);
		else
			strvec_push(argv, r->inject[i]);
	}
	strvec_push(argv, "--");
}

void target_option_args(const struct target *t, struct strvec *argv)
{
	for (int j = 0; j < TARGET_MAX_OPTIONS && t->base->opts[j].word; j++)
		if (t->opts & (1u << j))
			strvec_split(argv, t->base->opts[j].args);
}

/* @arg with each {dir} replaced by @dir (a state file's place, say). */
static void push_with_dir(struct strvec *argv, const char *arg, const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	const char *at;

	while (dir && (at = strstr(arg, "{dir}"))) {
		strbuf_add(&sb, arg, (size_t)(at - arg));
		strbuf_addstr(&sb, dir);
		arg = at + 5;
	}
	strbuf_addstr(&sb, arg);
	if (sb.failed)
		argv->failed = true;
	else
		strvec_push(argv, sb.buf);
	strbuf_release(&sb);
}

/* vfs-serve in the target's design, with the runner's control socket, log and extra options. */
static void serve_words(const struct target *t, const struct target_paths *p,
			const struct target_run *r, struct strvec *argv)
{
	strvec_push(argv, p->serve);
	strvec_pushf(argv, "--design=%s", design_name((enum design)t->base->design));
	strvec_push(argv, "--control");
	strvec_push(argv, r->ctl);
	strvec_push(argv, "--log");
	strvec_push(argv, r->log);
	target_option_args(t, argv);
	for (int i = 0; i < r->nserve_args; i++)
		push_with_dir(argv, r->serve_args[i], r->dir);
}

/* @cmd with {source} and {mountpoint} replaced, as one word for /bin/sh -c "exec ...". */
static void shell_words(const char *cmd, const char *source, const char *mnt, struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_addstr(&sb, "exec ");
	for (const char *c = cmd; *c; c++) {
		if (!strncmp(c, "{source}", 8)) {
			strbuf_addstr(&sb, source);
			c += 7;
		} else if (mnt && !strncmp(c, "{mountpoint}", 12)) {
			strbuf_addstr(&sb, mnt);
			c += 11;
		} else {
			strbuf_addch(&sb, *c);
		}
	}
	s = strbuf_detach(&sb);
	strvec_push(argv, "/bin/sh");
	strvec_push(argv, "-c");
	if (s)
		strvec_push(argv, s); /* exec: the daemon is the process the runner started */
	else
		argv->failed = true;
	free(s);
}

/* Pushes the daemon's program; 0, or -errno when it cannot run (argv then ends with it). */
static int push_program(struct strvec *argv, const char *path)
{
	strvec_push(argv, path);
	return access(path, X_OK) < 0 ? -errno : 0;
}

int target_mount_argv(const struct target *t, const struct target_paths *p,
		      const struct target_run *r, struct strvec *argv)
{
	const char *name = t->base->name;

	inject_prefix(p, r, argv);
	switch (t->base->kind) {
	case TARGET_FOREIGN:
		if (!p->server_cmd)
			return -EINVAL;
		shell_words(p->server_cmd, r->source, r->mnt, argv);
		break;
	case TARGET_DESIGN:
		serve_words(t, p, r, argv);
		strvec_push(argv, r->source);
		strvec_push(argv, r->mnt);
		break;
	case TARGET_FUSE_MOUNT:
		if (t->base->program)
			return target_packaged_argv(t, r->source, r->mnt, argv);
		strvec_pushf(argv, "%s/%s", p->examples, name);
		if (argv->nr && access(argv->v[argv->nr - 1], X_OK) < 0)
			return -errno;
		strvec_push(argv, "-f");
		strvec_push(argv, "-o");
		if (!strcmp(name, "passthrough_ll")) {
			strvec_pushf(argv, "source=%s,allow_other,default_permissions", r->source);
		} else {
			/* The high-level examples serve / unless told a subdir. */
			strvec_push(argv, "allow_other,default_permissions");
			strvec_push(argv, "-o");
			strvec_pushf(argv, "modules=subdir,subdir=%s", r->source);
		}
		target_option_args(t, argv);
		strvec_push(argv, r->mnt);
		break;
	default:
		return -EINVAL;
	}
	return argv->failed ? -ENOMEM : 0;
}

int target_protocol_argv(const struct target *t, const struct target_paths *p,
			 const struct target_run *r, struct strvec *argv, bool *vhost_user)
{
	const char *name = t->base->name;
	int err = 0;

	*vhost_user = true;
	inject_prefix(p, r, argv);
	switch (t->base->kind) {
	case TARGET_FOREIGN:
		if (!p->vhost_cmd)
			return -EINVAL;
		shell_words(p->vhost_cmd, r->source, NULL, argv);
		break;
	case TARGET_DESIGN:
	case TARGET_VHOST_USER:
		if (target_is(t, TARGET_OURS)) {
			*vhost_user = t->base->kind == TARGET_VHOST_USER;
			serve_words(t, p, r, argv);
			/*
			 * One thread: a FORGET has no reply to wait for, so only a server
			 * that takes requests in order makes "forget, then getattr" mean
			 * what it says (vhost-user returns its chain instead).
			 */
			strvec_push(argv, "--single-thread");
			strvec_push(argv, *vhost_user ? "--fd={fd}" : "--fuse-fd={fd}");
			strvec_push(argv, r->source);
		} else if (!strcmp(name, "virtiofsd-c")) {
			err = push_program(argv, p->virtiofsd_c);
			if (err)
				return err;
			strvec_push(argv, "--fd={fd}");
			strvec_push(argv, "-o");
			strvec_pushf(argv, "source=%s", r->source);
			target_option_args(t, argv);
		} else if (!strcmp(name, "virtiofsd-rs")) {
			/*
			 * Without RUST_BACKTRACE, as libvirt and podman start it: with it
			 * a panic's backtrace calls readlink, which its seccomp filter
			 * kills, and the run would see SIGSYS instead of the panic.
			 */
			strvec_push(argv, "/usr/bin/env");
			strvec_push(argv, "-u");
			strvec_push(argv, "RUST_BACKTRACE");
			err = push_program(argv, p->virtiofsd_rs);
			if (err)
				return err;
			strvec_push(argv, "--fd={fd}");
			strvec_pushf(argv, "--shared-dir=%s", r->source);
			target_option_args(t, argv);
		} else {
			return -EINVAL;
		}
		break;
	case TARGET_FUSE_MOUNT: {
		/* libfuse's own: a /dev/fuse fd handed over (daemon.h's {devfuse}), no mount. */
		struct target_run devfuse = *r;

		*vhost_user = false;
		devfuse.mnt = "{devfuse}";
		devfuse.ninject = 0; /* pushed above */
		return target_mount_argv(t, p, &devfuse, argv);
	}
	default:
		return -EINVAL;
	}
	return argv->failed ? -ENOMEM : err;
}
