/*
 * vfs-serve: a file-handle passthrough daemon over /dev/fuse.
 *
 * main() only wires things together: options, the passthrough core, the
 * libfuse session, the control socket; the behaviour lives in lib/.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "control/control.h"
#include "fuse/fuse_ops.h"
#include "options.h"
#include "core/persist.h"
#include "sandbox.h"
#include "seccomp_filter.h"
#include "socket_io.h"
#include "vhost_io.h"
#include "core/passthrough.h"

static bool have_dac_read_search(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[0].effective & (1u << CAP_DAC_READ_SEARCH);
}

/* Handles need CAP_DAC_READ_SEARCH (open_by_handle_at); decide before mounting. */
static int check_capabilities(struct passthrough_config *cfg)
{
	if (cfg->handles == HANDLES_NEVER || have_dac_read_search())
		return 0;
	if (cfg->handles == HANDLES_MANDATORY) {
		fprintf(stderr, "vfs-serve: --inode-file-handles=mandatory needs "
			"CAP_DAC_READ_SEARCH, which this process does not have\n");
		return -EPERM;
	}
	fprintf(stderr, "vfs-serve: warning: no CAP_DAC_READ_SEARCH: "
		"--inode-file-handles=prefer runs as never\n");
	cfg->handles = HANDLES_NEVER;
	return 0;
}

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000 /* Linux 5.8; older headers lack it */
#endif

static bool is_mount_point(const char *path)
{
	struct statx x;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &x) < 0)
		return false;
	return (x.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (x.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/*
 * --background: fork first, so that every fd (the source, /proc/self/fd,
 * /dev/fuse) and thread belongs to the process that serves. The parent
 * waits until the child says it serves, and exits 0, or with the child's
 * status when it failed first (its message went to the same stderr).
 */
static int ready_fd = -1, null_fd = -1;

static void detach(void)
{
	int p[2], status;
	pid_t pid;
	char c;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		fprintf(stderr, "vfs-serve: cannot detach: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status))
			_exit(WEXITSTATUS(status));
		_exit(1);
	}
	close(p[0]);
	setsid();
	ready_fd = p[1];
	/* Opened now: a sandboxed server's root has no /dev. */
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
}

/* The detached child serves: let the parent go, let go of the terminal. */
static void detached_ready(bool confined)
{
	int null = null_fd;

	if (ready_fd < 0)
		return;
	null_fd = -1;
	/* A sandbox's working directory is its /proc/self/fd: keep it. */
	if (!confined && chdir("/") < 0) {
		/* Only a pinned directory is lost: keep serving. */
	}
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	if (write(ready_fd, "1", 1) < 0) {
		/* The parent is gone: nobody is waiting for the news. */
	}
	close(ready_fd);
	ready_fd = -1;
}

static struct fuse_session *signalled_session;
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signalled_session)
		fuse_session_exit(signalled_session);
}

/*
 * Unlike fuse_set_signal_handlers(), install the handlers even where the
 * signal is ignored: a shell starts background jobs with SIGINT ignored,
 * and a test or a supervisor still expects SIGINT to unmount.
 */
static int set_stop_signals(struct fuse_session *se)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	signalled_session = se;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL) || sigaction(SIGPIPE, &ign, NULL))
		return -errno;
	return 0;
}

static void clear_stop_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	signalled_session = NULL;
}

static uint64_t serve_caps_needed(const struct serve_options *o)
{
	enum notify_backend b = (enum notify_backend)o->notify_backend;

	return caps_needed(o->cfg.handles != HANDLES_NEVER, b != NOTIFY_BACKEND_INOTIFY,
			   b == NOTIFY_BACKEND_FANOTIFY_FS);
}

/*
 * The vhost-user back-end description (QEMU docs/interop/vhost-user.json),
 * with what the sandbox the other flags chose keeps, under a member of
 * our own that a front-end passes over.
 */
static void print_capabilities(const struct serve_options *o)
{
	printf("{\n  \"type\": \"fs\",\n  \"vfskit-sandbox\": {\n"
	       "    \"mode\": \"%s\",\n    \"seccomp\": \"%s\",\n    \"capabilities\": [",
	       sandbox_mode_name((enum sandbox_mode)o->sandbox),
	       seccomp_action_name((enum seccomp_action)o->seccomp));
	if (o->sandbox == SANDBOX_NONE)
		printf("\"all\"");
	else
		caps_print(stdout, serve_caps_needed(o), ", ", "\"");
	printf("]\n  }\n}\n");
}

static bool vhost_mode(const struct serve_options *o)
{
	return o->vhost_socket || o->vhost_fd >= 0;
}

/* Served over a socket, not a mount: FUSE's own (socket mode) or vhost-user. */
static bool socket_mode(const struct serve_options *o)
{
	return o->fuse_socket || o->fuse_fd >= 0 || vhost_mode(o);
}

struct nodeids {
	uint64_t id[4096], n[4096];
	size_t len;
	bool more;
};

static void live_lookups(const struct inode_info *info, void *arg)
{
	struct nodeids *l = arg;

	if (info->retired || info->nodeid == 1 || !info->nlookup)
		return;
	if (l->len == sizeof(l->id) / sizeof(l->id[0])) {
		l->more = true;
		return;
	}
	l->id[l->len] = info->nodeid;
	l->n[l->len++] = info->nlookup;
}

/*
 * The front-end that hung up held lookups of these inodes; the next guest
 * knows none of them: forget them as its kernel would have (in rounds: the
 * store's walk may not block, so it only lists).
 */
static void forget_guest(struct passthrough *pt)
{
	static struct nodeids l;

	open_files_clear(&pt->files); /* its file handles go with it, as its lookups */
	do {
		l.len = 0;
		l.more = false;
		inode_store_each(pt->store, live_lookups, &l);
		for (size_t i = 0; i < l.len; i++)
			inode_store_forget(pt->store, l.id[i], l.n[i]);
	} while (l.more && l.len);
}

static struct fuse_session *new_session(struct serve_options *o, struct passthrough *pt)
{
	char fsname[128];
	char *argv[] = { "vfs-serve", "-o", fsname, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se;

	snprintf(fsname, sizeof(fsname),
		 "default_permissions,allow_other,fsname=vfs-serve,subtype=vfs-serve%s",
		 o->debug ? ",debug" : "");
	se = fuse_session_new(&args, &passthrough_fuse_ops, sizeof(passthrough_fuse_ops), pt);
	fuse_opt_free_args(&args); /* parsing may have copied them */
	return se;
}

/* --reconnect: a front-end after another, each in a session of its own, until a signal. */
static int serve_again(struct serve_options *o, struct passthrough *pt, struct fuse_session **se,
		       int lfd)
{
	struct errbuf why;
	int err = 0;

	while (!err && !stop_requested) {
		fuse_session_destroy(*se);
		signalled_session = *se = new_session(o, pt);
		if (!*se)
			return 1;
		forget_guest(pt);
		if (vhost_io_attach(*se, lfd, true, o->request_queues, o->thread_pool_size, o->tag,
				    (enum notify_policy)o->notify_policy,
				    (enum notify_backend)o->notify_backend, &why))
			return stop_requested ? 0 : (fprintf(stderr, "vfs-serve: %s\n", why.msg), 1);
		err = fuse_session_loop(*se) < 0 ? 1 : 0;
		vhost_io_stop_lanes();
	}
	return err;
}

/* The fds the server holds that the waiting parent must let go of. */
static void add_fd(struct sandbox_leftovers *l, int fd)
{
	if (fd >= 0 && l->nfds < SANDBOX_MAX_FDS)
		l->fds[l->nfds++] = fd;
}

/*
 * Confinement (sandbox.h), then the core on the new root, then what stays
 * of the privileges: all of it before a thread starts, as capabilities
 * and filters are per thread. @ctl and @lfd are bound already.
 */
static int confine(struct serve_options *o, struct fuse_session *se, struct passthrough *pt,
		   struct control *ctl, int lfd, bool mounted)
{
	struct sandbox_leftovers l = { .nfds = 0 };
	struct passthrough_fds fds = { -1, -1, -1 };
	struct passthrough_config cfg = o->cfg;
	struct errbuf why;

	/* Opened here, before a sandbox or a --background's chdir: passthrough_init_at takes it. */
	if (cfg.state_path) {
		fds.state_dir_fd = persist_open_dir(cfg.state_path);
		if (fds.state_dir_fd < 0) {
			fprintf(stderr, "vfs-serve: cannot open the directory of state %s: %s\n",
				cfg.state_path, strerror(-fds.state_dir_fd));
			return fds.state_dir_fd;
		}
	}
	if (o->sandbox != SANDBOX_NONE) {
		struct decision_log log;
		int err = decision_log_open(&log, cfg.log_path);

		if (err) {
			if (fds.state_dir_fd >= 0)
				close(fds.state_dir_fd);
			fprintf(stderr, "vfs-serve: cannot open log %s: %s\n", cfg.log_path,
				strerror(-err));
			return err;
		}
		fds.log_fd = log.fd; /* passthrough_init_at takes it over */

		add_fd(&l, lfd);
		add_fd(&l, mounted ? fuse_session_fd(se) : -1);
		add_fd(&l, ctl->listen_fd);
		add_fd(&l, ctl->wake[0]);
		add_fd(&l, ctl->wake[1]);
		add_fd(&l, ready_fd);
		add_fd(&l, fds.log_fd);
		add_fd(&l, fds.state_dir_fd);
		add_fd(&l, null_fd);
		l.unlink[0] = ctl->path;
		l.unmount = mounted ? o->mountpoint : NULL;
		if (sandbox_enter((enum sandbox_mode)o->sandbox, cfg.source, &l,
				  &fds.proc_self_fd, &why)) {
			fprintf(stderr, "vfs-serve: %s\n", why.msg);
			return -EPERM;
		}
		/* The parent removes the socket: its path is out of reach now. */
		control_forget_path(ctl);
		cfg.source = "/";
	}
	if (passthrough_init_at(pt, &cfg, &fds, &why)) {
		fprintf(stderr, "vfs-serve: %s\n", why.msg);
		return -EIO;
	}
	if (o->sandbox != SANDBOX_NONE &&
	    caps_drop_except(serve_caps_needed(o), &why)) {
		fprintf(stderr, "vfs-serve: %s\n", why.msg);
		return -EPERM;
	}
	if (sandbox_rlimit_nofile(o->rlimit_nofile, &why) ||
	    seccomp_filter_install((enum seccomp_action)o->seccomp,
				   mounted && o->sandbox == SANDBOX_NONE, &why)) {
		fprintf(stderr, "vfs-serve: %s\n", why.msg);
		return -EPERM;
	}
	return 0;
}

static int serve(struct serve_options *o, struct passthrough *pt)
{
	struct fuse_session *se;
	struct control ctl = { .listen_fd = -1, .wake = { -1, -1 } };
	bool ctl_on = false, mounted = false, pt_on = false;
	int err = 1, lfd = -1, keep_fd = -1;

	se = new_session(o, pt);
	if (!se) {
		fprintf(stderr, "vfs-serve: cannot create FUSE session\n");
		return 1;
	}
	if (set_stop_signals(se) != 0)
		goto out_session;
	if (socket_mode(o)) {
		struct errbuf why;

		if (vhost_mode(o))
			lfd = o->vhost_fd >= 0 ? o->vhost_fd : vhost_io_listen(o->vhost_socket, &why);
		else
			lfd = o->fuse_fd >= 0 ? o->fuse_fd : socket_io_listen(o->fuse_socket, &why);
		if (lfd < 0) {
			fprintf(stderr, "vfs-serve: %s\n", why.msg);
			goto out_signals;
		}
	} else if (fuse_session_mount(se, o->mountpoint) != 0) {
		fprintf(stderr, "vfs-serve: cannot mount on %s\n", o->mountpoint);
		goto out_signals;
	} else {
		mounted = true;
	}
	if (o->control) {
		struct errbuf why;

		if (control_listen(&ctl, pt, o->control, o->control_idle_ms, &why)) {
			fprintf(stderr, "vfs-serve: %s\n", why.msg);
			goto out_unmount;
		}
		ctl_on = true;
	}
	if (confine(o, se, pt, &ctl, lfd, mounted))
		goto out_control;
	pt_on = true;
	if (ctl_on) {
		struct errbuf why;

		if (control_run(&ctl, &why)) {
			fprintf(stderr, "vfs-serve: %s\n", why.msg);
			ctl_on = false;
			goto out_control;
		}
	}
	/* The control socket first: a client's INIT answered means both are up. */
	if (lfd >= 0) {
		struct errbuf why;

		detached_ready(o->sandbox != SANDBOX_NONE);
		if (o->reconnect)
			keep_fd = lfd;
		err = vhost_mode(o) ? vhost_io_attach(se, lfd, o->reconnect, o->request_queues,
						      o->thread_pool_size, o->tag,
						      (enum notify_policy)o->notify_policy,
						      (enum notify_backend)o->notify_backend, &why)
				    : socket_io_attach(se, lfd, &why);
		lfd = -1;
		if (err) {
			/* Stopped before any client came: as clean as a stop after one. */
			err = !stop_requested;
			if (err)
				fprintf(stderr, "vfs-serve: %s\n", why.msg);
			goto out_control;
		}
		err = 1;
	}
	detached_ready(o->sandbox != SANDBOX_NONE);
	if (o->single_thread) {
		err = fuse_session_loop(se);
	} else {
		struct fuse_loop_config *lc = fuse_loop_cfg_create();

		fuse_loop_cfg_set_max_threads(lc, 16);
		err = fuse_session_loop_mt(se, lc);
		fuse_loop_cfg_destroy(lc);
	}
	if (vhost_mode(o))
		vhost_io_stop_lanes(); /* no request served while the session goes */
	/* A signal or an unmount ends the loop: both are clean stops. */
	err = err < 0 ? 1 : 0;
	if (!err && keep_fd >= 0)
		err = serve_again(o, pt, &se, keep_fd);
	if (vhost_mode(o))
		vhost_io_report(stderr);
	if (keep_fd >= 0)
		close(keep_fd);
out_control:
	if (ctl_on || ctl.listen_fd >= 0)
		control_stop(&ctl);
out_unmount:
	if (lfd >= 0)
		close(lfd);
	/* Sandboxed, the mount point is out of reach: the waiting parent unmounts. */
	if (mounted && o->sandbox == SANDBOX_NONE)
		fuse_session_unmount(se);
out_signals:
	clear_stop_signals();
out_session:
	fuse_session_destroy(se);
	if (pt_on)
		passthrough_release(pt);
	return err;
}

int main(int argc, char **argv)
{
	struct serve_options o;
	static struct passthrough pt;
	struct stat st;
	int rc = serve_options_parse(argc, argv, &o);

	if (rc)
		return rc;
	if (o.help) {
		serve_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("vfs-serve (vfskit) %s\n", VFSKIT_VERSION);
		return 0;
	}
	if (o.print_capabilities) {
		print_capabilities(&o);
		return 0;
	}
	/* vhost-user: libfuse loops on one thread; vhost_io adds a thread per further request queue. */
	if (vhost_mode(&o))
		o.single_thread = true;
	if (socket_mode(&o)) {
		/* no mountpoint to check */
	} else if (stat(o.mountpoint, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vfs-serve: mountpoint %s is not a directory\n", o.mountpoint);
		return 1;
	}
	if (!socket_mode(&o) && !o.mount_over && is_mount_point(o.mountpoint)) {
		fprintf(stderr, "vfs-serve: %s is already a mount point: unmount it first, "
			"or pass --mount-over to mount on top of it\n", o.mountpoint);
		return 1;
	}
	if (check_capabilities(&o.cfg))
		return 1;
	if (o.background)
		detach();
	/* The guest's kernel already applied its umask; apply modes as sent. */
	umask(0);
	return serve(&o, &pt);
}
