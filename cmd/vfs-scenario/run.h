/*
 * run: executes one scenario against one running server and judges it.
 */
#ifndef VFS_SCENARIO_RUN_H
#define VFS_SCENARIO_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "fuse/client/fuse_target.h"
#include "fuse/client/fuse_words.h"
#include "notify/notify_driver.h"
#include "util/strbuf.h"
#include "vm.h"

enum outcome {
	OUTCOME_PASS,        /* every expectation held, as declared */
	OUTCOME_FAIL,        /* an expectation failed on a design not in fails-on */
	OUTCOME_BUG,         /* an expectation failed on a design in fails-on */
	OUTCOME_NO_BUG,      /* every expectation held on a design in fails-on */
	OUTCOME_SKIP,
};

struct run_ctx {
	const struct scenario *s;
	const char *guest_root;   /* the mountpoint */
	const char *host_root;    /* the server's source directory */
	int control_fd;           /* -1: a foreign server, server steps are skipped */
	int server_pid;           /* the daemon, for daemon steps */
	const char *control_path; /* for a background block's own connection */
	bool in_background;       /* this process runs a background block */
	struct fuse_target *fuse; /* protocol scenarios: the server's connection */
	struct vm *vm;            /* --guest=vm: guest steps go to the guest's agent */
	struct notify_driver *notify; /* notify steps: the notification queue's driver */
	struct fuse_words_out fields; /* the last fuse step's named results */
	bool status_asked;        /* a daemon status step ran: its end is the scenario's */
	const char *inject_armed; /* while this file exists the inject faults are armed */
	const char *canary_dir;   /* canary steps: the tree is below it, described as ... */
	const char *canary_before; /* ... this before the first step */
	uint64_t armed_ns;        /* when they were first armed (CLOCK_REALTIME), 0: not yet */
	bool verbose;
	volatile int *stop;       /* set by a signal or the time limit */
	/* filled in by run_scenario */
	struct strbuf report;     /* what failed: step, expected, got */
	bool premise_failed;      /* an "assume" did not hold: not applicable */
	bool witness_failed;      /* the failing step is a witness, failing as declared */
	bool runner_error;        /* the runner could not run a step: never a bug */
};

/* Runs every step; true if all expectations held. */
bool run_scenario(struct run_ctx *ctx);

/* The outcome given whether the steps held and the scenario's header. */
enum outcome judge(const struct scenario *s, const struct target *t, const struct run_ctx *ctx,
		   bool held);
const char *outcome_name(enum outcome o);

#endif
