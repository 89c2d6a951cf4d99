/*
 * ops: what each scenario step does. Every operation returns 0 with its
 * value in @out (a number, a string, "ok") or a negative errno.
 */
#ifndef VFS_SCENARIO_OPS_H
#define VFS_SCENARIO_OPS_H

#include <sys/types.h>

#include "guest/guest_ops.h"
#include "run.h"

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
/* canary check: "unchanged", or what changed beside the share (canary.h). */
int op_canary(struct run_ctx *ctx, struct strbuf *out);
/* inject arm|clear: the scenario's inject faults from now on, or no more (inject_check.c). */
int op_inject(struct run_ctx *ctx, const char *op, struct strbuf *out);

#endif
