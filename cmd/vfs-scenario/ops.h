/*
 * ops: what each scenario step does. Every operation returns 0 with its
 * value in @out (a number, a string, "ok") or a negative errno.
 */
#ifndef VFS_SCENARIO_OPS_H
#define VFS_SCENARIO_OPS_H

#include <sys/types.h>

#include "run.h"

/* guest and host: file operations below @root. */
int op_file(const char *root, bool guest, const char *op, int argc, char **argv,
	    struct strbuf *out);
/* Files and directories the guest steps hold open on the server now. */
int ops_guest_open_files(void);
/* guest only: handles on the mount, cache drops, concurrent lookups. */
int op_guest(struct run_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/* server: through the control socket. */
int op_server(struct run_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/* daemon: facts about the server process from /proc (fds, rss in KiB). */
int op_daemon(struct run_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/*
 * fuse and raw: one request on the target's connection (lib/fuse/client
 * fuse_words); its named results are left in ctx->fields.
 */
int op_fuse(struct run_ctx *ctx, bool raw, int argc, char **argv, struct strbuf *out);
/*
 * notify: the notification queue's driver side on the target's connection
 * (start BUFFERS [hold] [orphan=MS], watch/unwatch NODEID, next [MS]: the
 * next event in words, or "none").
 */
int op_notify(struct run_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/* inject arm|clear: the scenario's inject faults from now on, or no more (inject_check.c). */
int op_inject(struct run_ctx *ctx, const char *op, struct strbuf *out);
/* Closes every fd that open/hold steps left open. */
void ops_close_all(void);

/*
 * A step the runner refuses to run as written (a path outside the root,
 * an unknown counter, a table full): the message is kept until
 * ops_refusal() takes it, and the run is then a runner error, not a
 * result of the server.
 */
void ops_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ops_refusal(void);

/* 0 if @path stays below @root (no '..', symlink or absolute escape);
 * -EXDEV after ops_refuse() otherwise. @follow: the last component too. */
int ops_confine(const char *root, const char *path, bool follow);
/* Opens @path below @root as ops_confine() checks it; fd or -errno. */
int open_beneath(const char *root, const char *path, int flags, mode_t mode);

#endif
