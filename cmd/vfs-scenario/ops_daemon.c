/*
 * ops_daemon: what a server costs, read from outside (/proc/PID), so a
 * scenario can judge a daemon that has no control socket: how many fds it
 * holds open, and its resident memory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static int count_fds(int pid, long *n)
{
	char path[64];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	*n = 0;
	while ((e = readdir(d)))
		*n += e->d_name[0] != '.';
	closedir(d);
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
static int daemon_status(struct run_ctx *ctx, struct strbuf *out)
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
	strbuf_addf(out, "%s", desc);
	return 0;
}

int op_daemon(struct run_ctx *ctx, const char *op, struct strbuf *out)
{
	long v = 0;
	int err;

	if (!strcmp(op, "status"))
		return daemon_status(ctx, out);
	if (ctx->server_pid <= 0) {
		ops_refuse("daemon %s: no server process to look at", op);
		return -ESRCH;
	}
	err = !strcmp(op, "fds") ? count_fds(ctx->server_pid, &v) : rss_kib(ctx->server_pid, &v);
	if (!err)
		strbuf_addf(out, "%ld", v);
	return err;
}
