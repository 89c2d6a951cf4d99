/*
 * ops_server: steps that ask vfs-serve about its inode store through the
 * control socket. A file is named by its path below the source (stat'ed
 * on the host) or as ino=N, for a file the host has already removed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control/control_client.h"
#include "util/errno_name.h"
#include "util/handle_text.h"
#include "ops.h"

static int request(struct step_ctx *ctx, const char *cmd, struct strbuf *reply)
{
	int r;

	strbuf_reset(reply);
	r = control_request(ctx->control_fd, cmd, reply);
	if (r < 0)
		return r;
	return r ? -EINVAL : 0;
}

/*
 * Which host file: its ino, its dev (0: any) and its host handle as the
 * dump prints it ("" if unknown). An inode of that ino and dev is of this
 * file if it has this handle, or holds an fd (then its number cannot have
 * been reused): an inode with an older generation's handle is not.
 */
struct file_id {
	unsigned long long ino, dev;
	char handle[HANDLE_TEXT_MAX];
};

static int file_ids(struct step_ctx *ctx, const char *what, struct file_id *id)
{
	union handle_buf h;
	char path[4096];
	struct stat st;
	char *end;
	int mnt_id;

	id->handle[0] = '\0';
	if (!strncmp(what, "ino=", 4)) {
		id->ino = strtoull(what + 4, &end, 10);
		id->dev = 0;
		return *end || !id->ino ? -EINVAL : 0;
	}
	snprintf(path, sizeof(path), "%s/%s", ctx->host_root, what);
	if (lstat(path, &st) < 0)
		return -errno;
	id->ino = st.st_ino;
	id->dev = st.st_dev;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt_id, 0) == 0)
		handle_text_format(&h.fh, id->handle, sizeof(id->handle));
	return 0;
}

/* The value of "key=" in a dump line, into @out. */
static bool field(const char *line, const char *key, char *out, size_t len)
{
	char pat[32];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return false;
	p += strlen(pat);
	n = strcspn(p, " \n");
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return true;
}

/* Live inodes of a file: their count, and the first one's @key value. */
static int live(struct step_ctx *ctx, const char *what, const char *key, char *val,
		size_t len, int *count)
{
	struct strbuf reply = STRBUF_INIT;
	struct file_id id;
	char cmd[64], f[300];
	int r = file_ids(ctx, what, &id);

	if (r)
		return r;
	snprintf(cmd, sizeof(cmd), "dump ino=%llu", id.ino);
	r = request(ctx, cmd, &reply);
	*count = 0;
	for (char *line = reply.buf; !r && line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, "inode ", 6) || !field(line, "state", f, sizeof(f)) ||
		    strcmp(f, "live"))
			continue;
		if (id.dev && field(line, "dev", f, sizeof(f)) && strtoull(f, NULL, 10) != id.dev)
			continue;
		if (id.handle[0] && field(line, "handle", f, sizeof(f)) && strcmp(f, "-") &&
		    strcmp(f, id.handle))
			continue; /* another file that had this inode number */
		if (!(*count)++ && key)
			field(line, key, val, len);
	}
	strbuf_release(&reply);
	return r;
}

int op_server(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out)
{
	struct strbuf reply = STRBUF_INIT;
	char val[256] = "", cmd[512];
	int r = 0, n;

	if (!strcmp(op, "fault")) {
		size_t o = (size_t)snprintf(cmd, sizeof(cmd), "fault");

		for (int i = 0; i < argc && o < sizeof(cmd); i++)
			o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, " %s", argv[i]);
		r = request(ctx, cmd, &reply);
		if (!r)
			strbuf_addf(out, "ok");
	} else if (!strcmp(op, "check")) {
		r = request(ctx, "check", &reply);
		if (r == -EINVAL) {
			/* Broken invariants fail the step: "structure needs cleaning". */
			if (ctx->verbose)
				fprintf(stderr, "%s", reply.buf);
			r = -EUCLEAN;
		} else if (!r) {
			strbuf_addf(out, "ok");
		}
	} else if (!strcmp(op, "live-inodes")) {
		r = live(ctx, argv[0], NULL, NULL, 0, &n);
		if (!r)
			strbuf_addf(out, "%d", n);
	} else if (!strcmp(op, "inode")) {
		r = live(ctx, argv[0], argv[1], val, sizeof(val), &n);
		if (!r && !n)
			r = -ENOENT;
		if (!r)
			strbuf_addstr(out, val);
	} else if (!strcmp(op, "counter")) {
		r = request(ctx, "counters", &reply);
		for (char *line = reply.buf; !r && line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			size_t k = strlen(argv[0]);

			if (!strncmp(line, argv[0], k) && line[k] == ' ') {
				snprintf(val, sizeof(val), "%.*s", (int)strcspn(line + k + 1, "\n"),
					 line + k + 1);
				break;
			}
		}
		if (!r && !*val) {
			/* Only the per-errno counters are left out while they are 0. */
			int e;

			if (strncmp(argv[0], "handle_failures.", 16) ||
			    errno_parse(argv[0] + 16, &e)) {
				ops_refuse("unknown counter '%s' (control command 'counters' "
					   "lists them)", argv[0]);
				r = -EINVAL;
			} else {
				snprintf(val, sizeof(val), "0");
			}
		}
		if (!r)
			strbuf_addstr(out, val);
	} else if (!strcmp(op, "wait-forgotten")) {
		/* The kernel sends FORGET when it gets round to it; bounded wait. */
		for (int tries = 0; tries < 500 && !r; tries++) {
			r = live(ctx, argv[0], NULL, NULL, 0, &n);
			if (!r && !n) {
				strbuf_addf(out, "ok");
				break;
			}
			if (*ctx->stop)
				r = -EINTR;
			else
				usleep(20000);
		}
		if (!r && !out->len)
			r = -ETIMEDOUT;
	} else if (!strcmp(op, "dump")) {
		r = request(ctx, "dump", &reply);
		if (!r)
			strbuf_addstr(out, reply.buf);
	} else {
		r = -ENOSYS;
	}
	strbuf_release(&reply);
	return r;
}
