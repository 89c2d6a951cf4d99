/*
 * results_compare: what changed between two results documents, cell by
 * cell (a cell is a scenario on a target, by name): a regression is a
 * cell that now fails or hangs and did not, or a bug that shows again
 * where it had not; fixed is a cell that failed, hung or showed its bug
 * and now passes or no longer shows it; changed is any other new outcome
 * (PASS to SKIP: coverage lost, not a failure); gone and added are cells
 * in one document only (an added cell that fails is a regression too).
 */
#ifndef VFS_RESULTS_COMPARE_H
#define VFS_RESULTS_COMPARE_H

#include <stdio.h>

#include "results/results_doc.h"

enum results_change {
	RC_REGRESSION, RC_FIXED, RC_CHANGED, RC_GONE, RC_ADDED, RC_SAME, RC_KINDS,
};

struct results_delta {
	enum results_change kind;
	struct json_object *old, *new; /* the cells (borrowed); old NULL if added, new NULL if gone */
	int seq;                       /* the order found in */
};

struct results_diff {
	struct results_delta *d; /* regressions first, then fixed, changed, gone, added, same */
	int n;
	size_t cap;
	int count[RC_KINDS];
};

/* "regression", "fixed", "changed", "gone", "added", "unchanged". */
const char *results_change_word(enum results_change k);

/* The change from outcome @old to @new (either -1: absent). */
enum results_change results_change_of(int old, int new);

/* @old against @new into @diff (its own; results_diff_release). 0 or -ENOMEM. */
int results_compare(struct json_object *old, struct json_object *new, struct results_diff *diff);
void results_diff_release(struct results_diff *diff);

/* The text report: one line per change (not the unchanged), versions, the totals line. */
void results_diff_print(FILE *f, const struct results_diff *diff, struct json_object *old,
			struct json_object *new, const char *old_name, const char *new_name);

#endif
