/*
 * ops_daemon: what a server costs, read from outside (/proc/PID), so a
 * scenario can judge a daemon that has no control socket: how many fds it
 * holds open, whether one of them is on a given file, and its resident
 * memory. All of them of the process that serves, which may be a child
 * of the one the runner started (proc_tree.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mono_clock.h"
#include "util/proc_tree.h"

#include "ops.h"

static int count_fds(int pid, long *n)
{
	*n = proc_fd_count(pid);
	return *n < 0 ? (int)*n : 0;
}

/* Whether fd @fd of @pid was opened O_PATH (its fdinfo's flags). */
static bool fd_is_path(int pid, const char *fd)
{
	char path[320], line[128];
	unsigned long flags = 0;
	bool path_only = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1) {
			path_only = flags & O_PATH;
			break;
		}
	if (f)
		fclose(f);
	return path_only;
}

/*
 * Whether @pid holds an fd on the file @dev/@ino: 1, 0, or -errno; O_PATH
 * ones count when @paths_too (a pin), else only fds a RELEASE closes.
 */
static int holds(int pid, dev_t dev, ino_t ino, bool paths_too)
{
	char path[64], fd[320];
	struct dirent *e;
	struct stat st;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!found && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(fd, sizeof(fd), "%s/%s", path, e->d_name);
			found = !stat(fd, &st) && st.st_dev == dev && st.st_ino == ino &&
				(paths_too || !fd_is_path(pid, e->d_name));
		}
	closedir(d);
	return found;
}

/*
 * Whether anything on the host still holds inode @ino of the filesystem
 * under @root: 1, 0, or -errno when the filesystem cannot say. A daemon
 * that closed its fd may have handed the file to the kernel (a FUSE
 * passthrough backing file), which /proc/PID/fd does not show. ext4 and
 * its kin take an (ino, generation 0) handle for any live inode and give
 * ESTALE once it is freed; the lookup waits for an inode being evicted.
 */
static int host_inode_live(const char *root, ino_t ino)
{
	struct {
		struct file_handle fh;
		uint32_t id[2];
	} h = { .fh = { .handle_bytes = sizeof(h.id), .handle_type = 1 /* FILEID_INO32_GEN */ } };
	int mfd, fd, r;

	if (ino > UINT32_MAX)
		return -EOVERFLOW;
	h.id[0] = (uint32_t)ino;
	mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* not O_PATH: refused as a mount fd */
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_PATH | O_CLOEXEC);
	r = fd >= 0 ? 1 : errno == ESTALE ? 0 : -errno;
	if (fd >= 0)
		close(fd);
	close(mfd);
	return r;
}

/* Looked up at each step: the serving child may come and go. */
static pid_t serving_pid(const struct step_ctx *ctx)
{
	pid_t pid = proc_tree_server(ctx->server_pid);

	return pid > 0 ? pid : ctx->server_pid;
}

/* The file a daemon step names: PATH below the share, or ino=N on its filesystem. */
static int step_file(struct step_ctx *ctx, const char *rel, struct stat *st)
{
	int fd, r;

	if (!strncmp(rel, "ino=", 4)) {
		/* A file the host has removed: its number, on the share's filesystem. */
		char *stop;
		unsigned long long ino = strtoull(rel + 4, &stop, 10);

		if (*stop || !ino)
			return -EINVAL;
		if (stat(ctx->host_root, st) < 0)
			return -errno;
		st->st_ino = (ino_t)ino;
		return 0;
	}
	fd = ops_confine(ctx->host_root, rel, false);
	if (!fd)
		fd = open_beneath(ctx->host_root, rel, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	r = fstat(fd, st) ? -errno : 0;
	close(fd);
	return r;
}

/* Until the daemon holds no fd (@paths_too: O_PATH ones too) on @st's file, or @end. */
static int wait_unheld(struct step_ctx *ctx, const struct stat *st, bool paths_too, long long end)
{
	int r;

	while ((r = holds(serving_pid(ctx), st->st_dev, st->st_ino, paths_too)) == 1 &&
	       mono_ms() < end)
		usleep(2000); /* nothing tells us when another program closes an fd */
	return r;
}

/*
 * released PATH|ino=N [MS]: waits up to MS (default 5000) until the daemon
 * holds no fd, O_PATH ones too, on the file (a FORGET it was sent has been
 * served, on a daemon that pins inodes with fds): "released", or "held".
 * closed PATH|ino=N [MS]: until it holds none but O_PATH ones (the
 * RELEASEs it was sent have been served; a pin is not waited for), and
 * with ino=N, where the daemon does not pin N, until nothing on the host
 * holds N, where the filesystem can say: "closed", or "open".
 */
static int daemon_released(struct step_ctx *ctx, const char *rel, long ms, bool closed,
			   struct strbuf *out)
{
	long long end = mono_ms() + ms;
	struct stat st;
	int r = step_file(ctx, rel, &st);

	if (!r)
		r = wait_unheld(ctx, &st, !closed, end);
	/* A pinned number is not free, and waiting will not free it. */
	if (!r && closed && !strncmp(rel, "ino=", 4) &&
	    !holds(serving_pid(ctx), st.st_dev, st.st_ino, true)) {
		int live;

		while ((live = host_inode_live(ctx->host_root, st.st_ino)) == 1 && mono_ms() < end)
			usleep(2000);
		r = live == 1; /* a filesystem that cannot say: the fds are all we know */
	}
	if (r < 0)
		return r;
	strbuf_addstr(out, closed ? (r ? "open" : "closed") : (r ? "held" : "released"));
	return 0;
}

static int rss_kib(int pid, long *kib)
{
	char path[64], line[256];
	FILE *f;
	int err = -ENODATA;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", kib) == 1) {
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

/*
 * "running", "exit 0", "killed by SIGABRT": once the connection is gone
 * the daemon is given 5 s to end, so a crash is seen as one, not as
 * "running" a moment before it exits.
 */
static int daemon_status(struct step_ctx *ctx, struct strbuf *out)
{
	char desc[64];
	bool gone;

	if (!ctx->fuse || !ctx->fuse->started) {
		ops_refuse("daemon status: this target's daemon is not the runner's child");
		return -ESRCH;
	}
	gone = !ctx->fuse->connected || ctx->fuse->client.gone;
	daemon_ended(&ctx->fuse->daemon, gone ? 5000 : 0, desc, sizeof(desc));
	ctx->status_asked = true;
	strbuf_addstr(out, desc);
	return 0;
}

/*
 * save, load, migrate (both): the daemon's state moved to a new process
 * of the same command, the FUSE session going on (fuse_target.h).
 */
static int daemon_migrate(struct step_ctx *ctx, const char *op, struct strbuf *out)
{
	struct fuse_target *t = ctx->fuse;
	char how[64];
	int r = 0;

	if (!t) {
		ops_refuse("daemon %s: only in a protocol scenario (fuse steps)", op);
		return -EINVAL;
	}
	if (!t->front)
		return -EOPNOTSUPP; /* FUSE over a socket or /dev/fuse: no device state */
	if (strcmp(op, "load"))
		r = fuse_target_save(t);
	if (!r && strcmp(op, "save"))
		r = fuse_target_load(t, how, sizeof(how));
	/*
	 * A misuse is the scenario's error; the daemons' answers (not offered,
	 * a refused save or load) are the step's result, their words a note.
	 */
	if (r == -EINVAL || r == -EALREADY)
		ops_refuse("daemon %s: %s", op, t->err.msg);
	else if (r && r != -EOPNOTSUPP && ctx->notes)
		strbuf_addf(ctx->notes, "  daemon %s: %s\n", op, t->err.msg);
	if (r)
		return r;
	ctx->server_pid = t->daemon.pid;
	strbuf_addstr(out, "ok");
	return 0;
}

/*
 * A mount run's restart: the daemon's mount unmounted, the daemon's end
 * waited for, the same command mounting again. What a guest holds open
 * keeps the mount busy: EBUSY, the scenario closes it first.
 */
static int daemon_remount(struct step_ctx *ctx, struct strbuf *out)
{
	char how[64];
	int r;

	if (!ctx->remount) {
		ops_refuse("daemon restart: not under a running guest (a VM's daemon cannot "
			   "be reconnected to by this QEMU)");
		return -EINVAL;
	}
	r = ctx->remount(ctx, how, sizeof(how));
	if (r == -EBUSY) {
		ops_refuse("daemon restart: the mount is busy: close what the scenario holds "
			   "open in it (guest open, hold) first");
		return r;
	}
	/* The old one must have ended cleanly: a crash at its unmount is no restart. */
	if (!r && strcmp(how, "exit 0"))
		r = -ECHILD;
	if (r && ctx->notes)
		strbuf_addf(ctx->notes, "  daemon restart: the old daemon: %s%s%s\n", how,
			    r != -ECHILD ? "; the new one: " : "",
			    r != -ECHILD ? strerror(-r) : "");
	if (r)
		return r;
	strbuf_addstr(out, "ok");
	return 0;
}

/*
 * restart: the daemon ends and the same command starts again, a new FUSE
 * session: what it knows of the guest's nodeids it kept itself.
 */
static int daemon_restart(struct step_ctx *ctx, struct strbuf *out)
{
	struct fuse_target *t = ctx->fuse;
	char how[64];
	int r;

	if (!t)
		return daemon_remount(ctx, out);
	r = fuse_target_restart(t, 5000, how, sizeof(how));
	if (r == -EINVAL || r == -EALREADY) {
		ops_refuse("daemon restart: %s", t->err.msg);
		return r;
	}
	/* The old one must have ended cleanly: a crash at hang-up is no restart. */
	if (!r && strcmp(how, "exit 0"))
		r = -ECHILD;
	if (r && ctx->notes)
		strbuf_addf(ctx->notes, "  daemon restart: the old daemon: %s%s%s\n", how,
			    r != -ECHILD ? "; the new one: " : "", r != -ECHILD ? t->err.msg : "");
	if (r)
		return r;
	ctx->server_pid = t->daemon.pid;
	strbuf_addstr(out, "ok");
	return 0;
}

int op_daemon(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out)
{
	long v = 0;
	int err;

	if (!strcmp(op, "restart"))
		return daemon_restart(ctx, out);
	if (!strcmp(op, "status"))
		return daemon_status(ctx, out);
	if (!strcmp(op, "save") || !strcmp(op, "load") || !strcmp(op, "migrate"))
		return daemon_migrate(ctx, op, out);
	if (ctx->server_pid <= 0) {
		ops_refuse("daemon %s: no server process to look at", op);
		return -ESRCH;
	}
	if (!strcmp(op, "released") || !strcmp(op, "closed")) {
		char *end = NULL;
		long ms = argc > 1 ? strtol(argv[1], &end, 10) : 5000;

		if (argc > 1 && (*end || ms < 1 || ms > 60000)) {
			ops_refuse("daemon %s: MS from 1 to 60000, not '%s'", op, argv[1]);
			return -EINVAL;
		}
		return daemon_released(ctx, argv[0], ms, !strcmp(op, "closed"), out);
	}
	if (!strcmp(op, "pid")) {
		strbuf_addf(out, "%d", (int)serving_pid(ctx));
		return 0;
	}
	err = !strcmp(op, "fds") ? count_fds(serving_pid(ctx), &v) : rss_kib(serving_pid(ctx), &v);
	if (!err)
		strbuf_addf(out, "%ld", v);
	return err;
}
