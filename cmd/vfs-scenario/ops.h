/*
 * ops: what each scenario step does. Every operation returns 0 with its
 * value in @out (a number, a string, "ok") or a negative errno.
 */
#ifndef VFS_SCENARIO_OPS_H
#define VFS_SCENARIO_OPS_H

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
/* Closes every fd that open/hold steps left open. */
void ops_close_all(void);

#endif
