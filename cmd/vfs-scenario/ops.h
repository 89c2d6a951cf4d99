/*
 * ops: what each scenario step does. Every operation returns 0 with its
 * value in @out (a number, a string, "ok") or a negative errno.
 */
#ifndef VFS_SCENARIO_OPS_H
#define VFS_SCENARIO_OPS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "fuse/client/fuse_target.h"
#include "fuse/client/fuse_words.h"
#include "fuzz/fuzz_oracle.h"
#include "guest/guest_ops.h"
#include "notify/notify_driver.h"
#include "scenario/scenario.h"
#include "util/strbuf.h"

struct vm;

/*
 * What a step's operation sees of the run: the roots, the daemon and the
 * connections to it, what earlier steps left (a fuse step's fields, the
 * inject arming, the canary), and where to add a note to the report.
 */
struct step_ctx {
	const struct scenario *s;
	const char *guest_root;   /* the mountpoint */
	const char *host_root;    /* the server's source directory */
	int control_fd;           /* -1: a foreign server, server steps are skipped */
	int server_pid;           /* the daemon, for daemon steps */
	struct fuse_target *fuse; /* protocol scenarios: the server's connection */
	struct vm *vm;            /* --guest=vm: guest steps go to the guest's agent */
	/*
	 * Mount runs: the daemon restarted under its mountpoint (unmounted,
	 * ended, started, mounted again; cell.c); @how: how the old one ended.
	 */
	int (*remount)(struct step_ctx *ctx, char *how, size_t len);
	struct notify_driver *notify; /* notify steps: the notification queue's driver */
	struct fuse_words_out fields; /* the last fuse step's named results */
	bool status_asked;        /* a daemon status step ran: its end is the scenario's */
	const char *inject_armed; /* while this file exists the inject faults are armed */
	uint64_t armed_ns;        /* when they were first armed (CLOCK_REALTIME), 0: not yet */
	const char *canary_dir;   /* canary steps: the tree is below it, described as ... */
	const char *canary_before; /* ... this before the first step */
	struct fuzz_oracle *oracle; /* oracle steps: judges every fuse step's reply */
	bool verbose;
	volatile int *stop;       /* set by a signal or the time limit */
	struct strbuf *notes;     /* the run's report, for what it should say beside a failure */
};

/* server: through the control socket. */
int op_server(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/* daemon: facts about the server process from /proc (fds, rss in KiB). */
int op_daemon(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/*
 * fuse and raw: one request on the target's connection (lib/fuse/client
 * fuse_words); its named results are left in ctx->fields.
 */
int op_fuse(struct step_ctx *ctx, bool raw, int argc, char **argv, struct strbuf *out);
/*
 * notify: the notification queue's driver side on the target's connection
 * (start BUFFERS [hold] [orphan=MS], watch/unwatch NODEID, next [MS]: the
 * next event in words, or "none").
 */
int op_notify(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out);
/* canary check: "unchanged", or what changed beside the share (canary.h). */
int op_canary(struct step_ctx *ctx, struct strbuf *out);
/* oracle NAME: the first verdict of that oracle so far ("none", or its site: fuzz_oracle.h). */
int op_oracle(struct step_ctx *ctx, const char *name, struct strbuf *out);
/* inject arm|clear: the scenario's inject faults from now on, or no more (inject_check.c). */
int op_inject(struct step_ctx *ctx, const char *op, struct strbuf *out);

#endif
