/*
 * session: one daemon run. Every start is a fresh fixture (so inode
 * numbers are handed out the same way each time a sequence is replayed)
 * and a fresh daemon; a fault to inject is armed once INIT is done, as
 * vfs-scenario arms it, so it never lands on start-up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture/canary.h"
#include "fixture/workdir.h"
#include "fuzz.h"
#include "guest/guest_ops.h"
#include "scenario/scenario.h"
#include "target/target_packaged.h"
#include "util/mono_clock.h"
#include "util/proc_tree.h"
#include "util/strvec.h"

int session_init(struct session *ss, const struct fuzz_options *o, const char *workdir)
{
	memset(ss, 0, sizeof(*ss));
	ss->o = o;
	ss->canary_before = (struct strbuf)STRBUF_INIT;
	ss->out = (struct fuse_words_out)FUSE_WORDS_OUT_INIT;
	snprintf(ss->workdir, sizeof(ss->workdir), "%s", workdir);
	snprintf(ss->dir, sizeof(ss->dir), "%s/run", workdir);
	snprintf(ss->source, sizeof(ss->source), "%s/source", ss->dir);
	snprintf(ss->errlog, sizeof(ss->errlog), "%s/daemon.log", workdir);
	snprintf(ss->inject_log, sizeof(ss->inject_log), "%s/inject.log", workdir);
	snprintf(ss->inject_armed, sizeof(ss->inject_armed), "%s/inject.armed", workdir);
	snprintf(ss->ctl, sizeof(ss->ctl), "%s/control.sock", workdir);
	snprintf(ss->log, sizeof(ss->log), "%s/decisions.log", workdir);
	return 0;
}

int session_start(struct session *ss, struct strbuf *err)
{
	const struct fuzz_options *o = ss->o;
	struct target_run r = { .ctl = ss->ctl, .log = ss->log,
				.serve_args = o->serve_args, .nserve_args = o->nserve_args,
				.inject = o->inject, .ninject = o->ninject,
				.inject_log = ss->inject_log, .inject_armed = ss->inject_armed };
	struct strvec argv = STRVEC_INIT;
	struct vu_front_config vc;
	bool vhost_user;
	int e, fd;

	ss->started_ms = mono_ms();
	unlink(ss->inject_armed);
	unlink(ss->ctl);
	fixture_teardown(ss->dir);
	snprintf(ss->source, sizeof(ss->source), "%s/source", ss->dir);
	e = fixture_build(o->fixtures, o->fixture, ss->dir, ss->errlog);
	if (e) {
		strbuf_addf(err, "fixture %s: %s (its output: %s)", o->fixture, strerror(-e), ss->errlog);
		return e;
	}
	/* The share may be below the fixture's root (fuse-overlayfs: its upper layer). */
	e = target_layout(&o->target, ss->source, ss->source, sizeof(ss->source));
	if (e) {
		strbuf_addf(err, "laying %s out: %s", o->fixture, strerror(-e));
		return e;
	}
	strbuf_reset(&ss->canary_before);
	e = canary_make(ss->dir, &ss->canary_before);
	if (e) {
		strbuf_addf(err, "the canary beside the share: %s", strerror(-e));
		return e;
	}
	r.source = ss->source;
	e = target_protocol_argv(&o->target, &o->paths, &r, &argv, &vhost_user);
	if (e) {
		strbuf_addf(err, "cannot run %s: %s", argv.nr ? argv.v[argv.nr - 1] : o->target.name,
			    strerror(-e));
		strvec_clear(&argv);
		return e;
	}
	if (o->socket_transport)
		vhost_user = false;
	vu_front_config_default(&vc);
	vc.timeout_ms = o->timeout_ms;
	e = fuse_target_open(&ss->ft, vhost_user ? FUSE_TARGET_VHOST_USER : FUSE_TARGET_SOCKET,
			     argv.v, NULL, ss->source, ss->dir, ss->errlog, &vc, o->init, false);
	strvec_clear(&argv);
	if (e) {
		strbuf_addf(err, "the daemon did not serve: %s (its output: %s)", ss->ft.err.msg,
			    ss->errlog);
		fuse_target_close(&ss->ft, 1000, ss->how, sizeof(ss->how));
		return e;
	}
	ss->up = true;
	/* A dropped malformed request costs this wait: the fuzzer cannot wait a second each. */
	ss->ft.client.raw_timeout_ms = o->raw_wait_ms;
	if (o->ninject) {
		fd = open(ss->inject_armed, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	ss->oracle = fuzz_oracle_new(ss->source, o->exceptions, &e);
	if (!ss->oracle) {
		strbuf_addf(err, "the oracle cannot read the share's file handles: %s", strerror(-e));
		session_stop(ss);
		return e;
	}
	vars_free(&ss->vars);
	ss->fds_start = session_fds(ss);
	ss->starts++;
	ss->start_ms_total += mono_ms() - ss->started_ms;
	return 0;
}

/*
 * A host step's paths stay below the share, as vfs-scenario keeps them;
 * one that would leave it is not made (-ECANCELED: dropped from what is
 * written, where vfs-scenario would call it a runner error).
 */
static int host_confine(const char *root, int argc, char **argv)
{
	const struct op *op = op_find(argv[0], KIND_HOST);

	if (!op)
		return -EINVAL;
	for (int k = 1; k < argc; k++)
		if (op_arg_is_path(op, k - 1) && ops_confine(root, argv[k], op_follows(op)))
			return -ECANCELED;
	return 0;
}

/*
 * Whether @st names a variable no reply has set: in a shrinking trial the
 * step that set it may have failed, and 0 in its place is a nodeid or a
 * handle no kernel sends.
 */
static bool names_unset(const struct vars *vs, const struct fstep *st)
{
	for (int i = 0; i < st->argc; i++)
		if (!strncmp(st->argv[i], "${", 2) &&
		    !*vars_get(vs, (int)strtol(st->argv[i] + 3, NULL, 10)))
			return true;
	return false;
}

int session_step(struct session *ss, const struct fstep *st, struct strbuf *value)
{
	char *argv[FSTEP_MAX_WORDS], bufs[FSTEP_MAX_WORDS][32];
	const char *why = NULL;
	int r;

	for (int i = 0; i < st->argc; i++)
		argv[i] = (char *)vars_expand(&ss->vars, st->argv[i], bufs[i], sizeof(bufs[i]));
	fuse_words_out_reset(&ss->out);
	if (st->kind == FSTEP_HOST) {
		r = host_confine(ss->source, st->argc, argv);
		if (!r)
			r = op_file(ss->source, false, argv[0], st->argc - 1, argv + 1, value);
	} else if (!ss->ft.connected) {
		r = -EPIPE;
	} else if (ss->o->faithful && st->kind == FSTEP_FUSE &&
		   (names_unset(&ss->vars, st) ||
		    fuzz_oracle_kernel_refuses(ss->oracle, argv[0], st->argc - 1, argv + 1))) {
		r = -ECANCELED; /* not sent: the sequence loses this step before it is written */
	} else {
		r = fuse_words_run(&ss->ft.client, argv[0], st->kind == FSTEP_RAW, st->argc - 1,
				   argv + 1, &ss->out, &why);
		if (r == -EPROTO)
			why = ss->ft.client.why;
		fuzz_oracle_observe(ss->oracle, argv[0], st->kind == FSTEP_RAW, st->argc - 1,
				    argv + 1, r, &ss->out, why);
		strbuf_addstr(value, ss->out.value.buf);
	}
	if (st->capture >= 0)
		vars_set(&ss->vars, st->capture, r ? "" : value->buf);
	return r;
}

int session_canary(struct session *ss, struct strbuf *out)
{
	struct strbuf now = STRBUF_INIT;
	int r = canary_describe(ss->dir, &now);

	if (!r)
		r = canary_compare(ss->canary_before.buf, now.buf, out);
	else
		strbuf_addf(out, "changed: the canary cannot be read (%s)", strerror(-r));
	strbuf_release(&now);
	return r ? 1 : 0;
}

int session_fds(struct session *ss)
{
	return (int)proc_fd_count(proc_tree_server(ss->ft.daemon.pid));
}

int session_fds_settled(struct session *ss, long limit)
{
	int n = session_fds(ss);

	/* A server with threads may still be closing what the FORGETs let go. */
	for (int i = 0; i < 50 && n > limit; i++) {
		usleep(10000);
		n = session_fds(ss);
	}
	return n;
}

void session_stop(struct session *ss)
{
	if (ss->up)
		fuse_target_close(&ss->ft, 1000, ss->how, sizeof(ss->how));
	ss->up = false;
	fuzz_oracle_free(ss->oracle);
	ss->oracle = NULL;
	ops_close_all();
}

void session_release(struct session *ss)
{
	session_stop(ss);
	fixture_teardown(ss->dir);
	vars_free(&ss->vars);
	strbuf_release(&ss->canary_before);
	fuse_words_out_release(&ss->out);
}
