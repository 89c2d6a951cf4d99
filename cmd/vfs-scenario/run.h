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
#include "ops.h"
#include "vm.h"

enum outcome {
	OUTCOME_PASS,        /* every expectation held, as declared */
	OUTCOME_FAIL,        /* an expectation failed on a design not in fails-on */
	OUTCOME_BUG,         /* an expectation failed on a design in fails-on */
	OUTCOME_NO_BUG,      /* every expectation held on a design in fails-on */
	OUTCOME_SKIP,
	OUTCOME_DESIGN,      /* not run: the daemon documents that it does not do this (why: skip_reason) */
	OUTCOME_HANG,        /* no answer within the time limit: the connection was aborted */
	OUTCOME_NA,          /* an "applies" premise did not hold: not for this target (why: skip_reason) */
};

struct run_ctx {
	struct step_ctx step;     /* what the steps see (ops.h) */
	const char *control_path; /* for a background block's own connection */
	bool in_background;       /* this process runs a background block */
	/* filled in by run_scenario */
	struct strbuf report;     /* what failed: step, expected, got */
	bool premise_failed;      /* an "assume" or "applies" did not hold */
	bool not_applicable;      /* it was an "applies": n/a, not SKIP */
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
