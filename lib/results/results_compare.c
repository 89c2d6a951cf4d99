/* results_compare: two documents, cell by cell (results_compare.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_compare.h"
#include "util/array.h"

const char *results_change_word(enum results_change k)
{
	static const char *const w[RC_KINDS] = { "regression", "fixed", "changed", "gone", "added",
						 "unchanged" };
	return k < RC_KINDS ? w[k] : "?";
}

static bool failing(int o)
{
	return o == RO_FAIL || o == RO_HANG;
}

/* Working as the daemon should: it passes, or a declared bug no longer shows. */
static bool working(int o)
{
	return o == RO_PASS || o == RO_NO_BUG;
}

enum results_change results_change_of(int old, int new)
{
	if (old < 0)
		return new >= 0 && failing(new) ? RC_REGRESSION : RC_ADDED;
	if (new < 0)
		return RC_GONE;
	if (old == new)
		return RC_SAME;
	if ((failing(new) && !failing(old)) || (new == RO_BUG && working(old)))
		return RC_REGRESSION;
	if ((failing(old) || old == RO_BUG) && working(new))
		return RC_FIXED;
	return RC_CHANGED;
}

static int add(struct results_diff *diff, enum results_change k, struct json_object *old,
	       struct json_object *new)
{
	if (ARRAY_GROW(diff->d, (size_t)diff->n + 1, diff->cap))
		return -ENOMEM;
	diff->d[diff->n] = (struct results_delta){ k, old, new, diff->n };
	diff->n++;
	diff->count[k]++;
	return 0;
}

static int by_kind(const void *a, const void *b)
{
	const struct results_delta *x = a, *y = b;

	return x->kind != y->kind ? (int)x->kind - (int)y->kind : x->seq - y->seq;
}

int results_compare(struct json_object *old, struct json_object *new, struct results_diff *diff)
{
	struct json_object *index = json_object_new_object(), *in_new = json_object_new_object();
	struct json_object *oc = results_cells(old), *nc = results_cells(new);
	int err = index && in_new ? 0 : -ENOMEM;

	memset(diff, 0, sizeof(*diff));
	for (size_t i = 0; !err && i < json_object_array_length(oc); i++) {
		struct json_object *c = json_object_array_get_idx(oc, i);
		char key[512];

		json_object_object_add(index, results_cell_key(c, key, sizeof(key)),
				       json_object_get(c));
	}
	for (size_t i = 0; !err && i < json_object_array_length(nc); i++) {
		struct json_object *c = json_object_array_get_idx(nc, i), *was = NULL;
		char key[512];

		results_cell_key(c, key, sizeof(key));
		json_object_object_get_ex(index, key, &was);
		json_object_object_add(in_new, key, NULL);
		err = add(diff, results_change_of(was ? (int)results_cell_outcome(was) : -1,
						  (int)results_cell_outcome(c)), was, c);
	}
	for (size_t i = 0; !err && i < json_object_array_length(oc); i++) {
		struct json_object *c = json_object_array_get_idx(oc, i);
		char key[512];

		if (!json_object_object_get_ex(in_new, results_cell_key(c, key, sizeof(key)), NULL))
			err = add(diff, RC_GONE, c, NULL);
	}
	json_object_put(index);
	json_object_put(in_new);
	if (err) {
		results_diff_release(diff);
		return err;
	}
	/* Stable within a kind: the new document's order, then the old one's. */
	qsort(diff->d, (size_t)diff->n, sizeof(diff->d[0]), by_kind);
	return 0;
}

void results_diff_release(struct results_diff *diff)
{
	free(diff->d);
	memset(diff, 0, sizeof(*diff));
}

/* Targets whose version (or options) differs between the two. */
static void print_versions(FILE *f, struct json_object *old, struct json_object *new)
{
	struct json_object *ot = results_targets(old), *nt = results_targets(new);

	for (size_t i = 0; i < json_object_array_length(nt); i++) {
		struct json_object *t = json_object_array_get_idx(nt, i);

		for (size_t j = 0; j < json_object_array_length(ot); j++) {
			struct json_object *u = json_object_array_get_idx(ot, j);
			const char *a = results_str(u, "version", ""), *b = results_str(t, "version", "");

			if (!strcmp(results_str(t, "name", ""), results_str(u, "name", "")) &&
			    strcmp(a, b))
				fprintf(f, "version     %s: %s -> %s\n", results_str(t, "name", ""),
					*a ? a : "(unknown)", *b ? b : "(unknown)");
		}
	}
}

void results_diff_print(FILE *f, const struct results_diff *diff, struct json_object *old,
			struct json_object *new, const char *old_name, const char *new_name)
{
	fprintf(f, "compare: %s (vfskit %s, %zu cells) -> %s (vfskit %s, %zu cells)\n", old_name,
		results_str(old, "vfskit", "?"), json_object_array_length(results_cells(old)),
		new_name, results_str(new, "vfskit", "?"),
		json_object_array_length(results_cells(new)));
	print_versions(f, old, new);
	for (int i = 0; i < diff->n; i++) {
		const struct results_delta *d = &diff->d[i];
		struct json_object *c = d->new ? d->new : d->old;
		char key[512];

		if (d->kind == RC_SAME)
			continue;
		fprintf(f, "%-11s %s: ", results_change_word(d->kind),
			results_cell_key(c, key, sizeof(key)));
		if (d->old && d->new)
			fprintf(f, "%s -> %s", results_outcome_word(results_cell_outcome(d->old)),
				results_outcome_word(results_cell_outcome(d->new)));
		else
			fprintf(f, "%s%s", d->old ? "was " : "",
				results_outcome_word(results_cell_outcome(c)));
		if (d->new && results_str(d->new, "step", NULL) &&
		    results_outcome_shows_step(results_cell_outcome(d->new)))
			fprintf(f, " at %s: expected %s, got %s", results_str(d->new, "step", ""),
				results_str(d->new, "expected", "?"), results_str(d->new, "got", "?"));
		else if (d->new && results_str(d->new, "reason", NULL))
			fprintf(f, " (%.*s)", (int)strcspn(results_str(d->new, "reason", ""), "\n"),
				results_str(d->new, "reason", ""));
		fprintf(f, "\n");
	}
	fprintf(f, "compare: %d regression%s, %d fixed, %d changed, %d gone, %d added, %d unchanged\n",
		diff->count[RC_REGRESSION], diff->count[RC_REGRESSION] == 1 ? "" : "s",
		diff->count[RC_FIXED], diff->count[RC_CHANGED], diff->count[RC_GONE],
		diff->count[RC_ADDED], diff->count[RC_SAME]);
}
