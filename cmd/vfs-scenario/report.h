/*
 * report: the results of a run, for people (an aligned table, colour only
 * on a tty), for TAP consumers and for JUnit XML readers.
 */
#ifndef VFS_SCENARIO_REPORT_H
#define VFS_SCENARIO_REPORT_H

#include <stdio.h>

#include "options.h"
#include "results/results_doc.h"
#include "run.h"

/* run.h's outcomes and a results document's (lib/results) are in the same order. */
_Static_assert(OUTCOME_PASS == (int)RO_PASS && OUTCOME_FAIL == (int)RO_FAIL &&
	       OUTCOME_BUG == (int)RO_BUG && OUTCOME_NO_BUG == (int)RO_NO_BUG &&
	       OUTCOME_SKIP == (int)RO_SKIP && OUTCOME_DESIGN == (int)RO_BY_DESIGN &&
	       OUTCOME_HANG == (int)RO_HANG && OUTCOME_NA == (int)RO_NA, "outcome order");

struct result {
	const struct scenario *s;
	const struct target *target; /* the column */
	enum outcome outcome;
	char *skip_reason;
	char *details;          /* what failed, and the server's log tail */
	long long ms;           /* how long the cell took */
};

struct results {
	struct result *r;
	int n;
	size_t cap;
	int lost;               /* results that found no memory: the run fails */
	long long col_ms[MAX_TARGETS]; /* the time each column's cells took */
};

void results_add(struct results *rs, const struct scenario *s, const struct target *t,
		 enum outcome o, const char *skip_reason, const char *details);
void results_free(struct results *rs);

/* True if an outcome differs from what the headers declare. */
bool result_unexpected(const struct result *r);

void report_table(FILE *f, const struct results *rs, const struct target *cols, int ncols,
		  bool colour, bool verbose);
void report_tap(FILE *f, const struct results *rs);
int report_junit(const char *path, const struct results *rs);
/* The closing "N passed, N failed, N skipped" line. */
void report_totals(FILE *f, const struct results *rs);

#endif
