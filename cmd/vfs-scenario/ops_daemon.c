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

/* Whether @pid holds an fd (O_PATH ones too) on the file @dev/@ino: 1, 0, or -errno. */
static int holds(int pid, dev_t dev, ino_t ino)
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
			found = !stat(fd, &st) && st.st_dev == dev && st.st_ino == ino;
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

/*
 * released PATH|ino=N [MS]: waits up to MS (default 5000) until the daemon holds
 * no fd on PATH's file (a FORGET or a RELEASE it was sent has been served,
 * on a daemon that pins inodes with fds): "released", or "held" when it
 * still does. With ino=N, also until nothing on the host holds N (where
 * the filesystem can tell): the number is free for the next file.
 */
static int daemon_released(struct step_ctx *ctx, const char *rel, long ms, struct strbuf *out)
{
	long long end = mono_ms() + ms;
	struct stat st;
	int fd, r;

	if (!strncmp(rel, "ino=", 4)) {
		/* A file the host has removed: its number, on the share's filesystem. */
		char *stop;
		unsigned long long ino = strtoull(rel + 4, &stop, 10);

		if (*stop || !ino || stat(ctx->host_root, &st) < 0)
			return *stop || !ino ? -EINVAL : -errno;
		st.st_ino = (ino_t)ino;
		r = 0;
	} else {
		fd = ops_confine(ctx->host_root, rel, false);
		if (!fd)
			fd = open_beneath(ctx->host_root, rel, O_PATH | O_NOFOLLOW, 0);
		if (fd < 0)
			return fd;
		r = fstat(fd, &st) ? -errno : 0;
		close(fd);
	}
	while (!r && (r = holds(serving_pid(ctx), st.st_dev, st.st_ino)) == 1 && mono_ms() < end)
		usleep(2000); /* nothing tells us when another program closes an fd */
	if (!r && !strncmp(rel, "ino=", 4)) {
		int live;

		while ((live = host_inode_live(ctx->host_root, st.st_ino)) == 1 && mono_ms() < end)
			usleep(2000);
		r = live == 1; /* a filesystem that cannot say: the fds are all we know */
	}
	if (r < 0)
		return r;
	strbuf_addstr(out, r ? "held" : "released");
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

int op_daemon(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out)
{
	long v = 0;
	int err;

	if (!strcmp(op, "status"))
		return daemon_status(ctx, out);
	if (ctx->server_pid <= 0) {
		ops_refuse("daemon %s: no server process to look at", op);
		return -ESRCH;
	}
	if (!strcmp(op, "released")) {
		char *end = NULL;
		long ms = argc > 1 ? strtol(argv[1], &end, 10) : 5000;

		if (argc > 1 && (*end || ms < 1 || ms > 60000)) {
			ops_refuse("daemon released: MS from 1 to 60000, not '%s'", argv[1]);
			return -EINVAL;
		}
		return daemon_released(ctx, argv[0], ms, out);
	}
	err = !strcmp(op, "fds") ? count_fds(serving_pid(ctx), &v) : rss_kib(serving_pid(ctx), &v);
	if (!err)
		strbuf_addf(out, "%ld", v);
	return err;
}
