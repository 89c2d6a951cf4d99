/*
 * report: "bug reproduced" on a design the header names in fails-on is a
 * success of the suite (the bug is shown), and "expected bug did not
 * reproduce" is a failure: the suite no longer shows what it claims to.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "report.h"
#include "util/array.h"
#include "util/markup_escape.h"

void results_add(struct results *rs, const struct scenario *s, const struct target *t,
		 enum outcome o, const char *skip_reason, const char *details)
{
	struct result *r;

	if (ARRAY_GROW(rs->r, (size_t)rs->n + 1, rs->cap)) {
		rs->lost++; /* reported in the totals: a verdict is never dropped silently */
		return;
	}
	r = &rs->r[rs->n++];
	r->s = s;
	r->target = t;
	r->outcome = o;
	r->skip_reason = skip_reason ? strdup(skip_reason) : NULL;
	r->details = details && *details ? strdup(details) : NULL;
}

void results_free(struct results *rs)
{
	for (int i = 0; i < rs->n; i++) {
		free(rs->r[i].skip_reason);
		free(rs->r[i].details);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

bool result_unexpected(const struct result *r)
{
	return r->outcome == OUTCOME_FAIL || r->outcome == OUTCOME_NO_BUG ||
	       r->outcome == OUTCOME_HANG;
}

/* What a cell of the table says: the results page's words (report.h: the same order). */
static const char *cell(enum outcome o)
{
	return results_outcome_label((enum results_outcome)o);
}

static const char *colour_of(enum outcome o)
{
	static const char *const c[] = { "\033[32m", "\033[1;31m", "\033[33m", "\033[1;31m", "\033[2m",
					 "\033[2m", "\033[1;31m", "\033[2m" };
	return c[o];
}

static const struct result *find(const struct results *rs, const struct scenario *s,
				 const struct target *t)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i].s == s && rs->r[i].target == t)
			return &rs->r[i];
	return NULL;
}

/* "step: expected X, got Y" from a failure report, in a static buffer. */
static const char *summary(const char *details)
{
	static char buf[256];
	const char *step = strchr(details, ' '), *exp = strstr(details, "expected: ");
	const char *got = strstr(details, "got:      ");

	if (!step || !exp || !got) {
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(details, "\n"), details);
		return buf;
	}
	step += strspn(step, " "); /* a note before the step is indented */
	snprintf(buf, sizeof(buf), "%.*s: expected %.*s, got %.*s",
		 (int)strcspn(step, "\n"), step, (int)strcspn(exp + 10, "\n"), exp + 10,
		 (int)strcspn(got + 10, "\n"), got + 10);
	return buf;
}

/* Wide enough for its cells ("bug reproduced") and its name, two blanks after each. */
static int column_width(const struct target *t)
{
	int n = (int)strlen(t->name) + 1;

	return n > 15 ? n : 15;
}

/* The same daemon and options in a guest of another kernel: "virtiofsd-rs@6.1", "virtiofsd-rs@6.12". */
static bool other_kernel(const struct target *a, const struct target *b)
{
	size_t n = strcspn(a->name, "@");

	return a->guest_kernel && b->guest_kernel && a->guest_kernel != b->guest_kernel &&
	       n == strcspn(b->name, "@") && !strncmp(a->name, b->name, n);
}

/* Each scenario whose outcome on a daemon changed with the guest kernel. */
static void report_kernel_differences(FILE *f, const struct results *rs)
{
	for (int i = 0; i < rs->n; i++)
		for (int j = i + 1; j < rs->n; j++) {
			const struct result *a = &rs->r[i], *b = &rs->r[j];

			if (a->s == b->s && other_kernel(a->target, b->target) &&
			    a->outcome != b->outcome)
				fprintf(f, "kernel difference %s [%.*s]: %s %s, %s %s\n", a->s->name,
					(int)strcspn(a->target->name, "@"), a->target->name,
					a->target->guest_kernel, cell(a->outcome),
					b->target->guest_kernel, cell(b->outcome));
		}
}

void report_table(FILE *f, const struct results *rs, const struct target *cols, int ncols,
		  bool colour, bool verbose)
{
	const struct scenario *last = NULL;
	int w = 30;

	/* Two blanks at least between a name and its first cell: the columns split on them. */
	for (int i = 0; i < rs->n; i++)
		if ((int)strlen(rs->r[i].s->name) + 1 > w)
			w = (int)strlen(rs->r[i].s->name) + 1;
	fprintf(f, "%-*s", w, "SCENARIO");
	for (int d = 0; d < ncols; d++)
		fprintf(f, " %-*s", column_width(&cols[d]), cols[d].name);
	fprintf(f, "\n");
	for (int i = 0; i < rs->n; i++) {
		const struct scenario *s = rs->r[i].s;

		if (s == last)
			continue;
		last = s;
		fprintf(f, "%-*s", w, s->name);
		for (int d = 0; d < ncols; d++) {
			const struct result *r = find(rs, s, &cols[d]);
			const char *text = r ? cell(r->outcome) : "n/a";

			if (colour && r)
				fprintf(f, " %s%-*s\033[0m", colour_of(r->outcome),
					column_width(&cols[d]), text);
			else
				fprintf(f, " %-*s", column_width(&cols[d]), text);
		}
		fprintf(f, "\n");
	}
	/* Where a run's time goes, column by column. */
	fprintf(f, "%-*s", w, "(seconds)");
	for (int d = 0; d < ncols; d++)
		fprintf(f, " %-*.1f", column_width(&cols[d]), (double)rs->col_ms[d] / 1000);
	fprintf(f, "\n");
	fprintf(f, "(bug reproduced: failed where the scenario says the design has the bug;\n"
		   " bug missing!: the declared bug did not reproduce; n/a: not for that design,\n"
		   " or the daemon does not offer what the scenario is about (listed below);\n"
		   " by design: what the daemon documents, shown, or not run where it\n"
		   " does not support it; HANG: no answer in time, its FUSE connection aborted;\n"
		   " T@6.12: T's mount scenarios in a guest of that kernel, protocol ones in\n"
		   " the first kernel's column only)\n");
	report_kernel_differences(f, rs);
	for (int i = 0; i < rs->n; i++) {
		const struct result *r = &rs->r[i];

		/* Where each bug showed: the step, what was expected, what came. */
		if (r->outcome == OUTCOME_BUG && r->details && !verbose)
			fprintf(f, "bug %s [%s]: %s\n", r->s->name, r->target->name,
				summary(r->details));
	}
	for (int i = 0; i < rs->n; i++) {
		const struct result *r = &rs->r[i];

		if (r->outcome == OUTCOME_SKIP || r->outcome == OUTCOME_DESIGN || r->outcome == OUTCOME_NA)
			fprintf(f, "%s %s [%s]: %s\n", r->outcome == OUTCOME_SKIP ? "SKIP" :
				r->outcome == OUTCOME_NA ? "n/a" : "by design",
				r->s->name, r->target->name, r->skip_reason ? r->skip_reason : "");
		if (r->details && (verbose || result_unexpected(r)))
			fprintf(f, "\n%s %s [%s]\n%s", r->outcome == OUTCOME_BUG ? "BUG" :
				r->outcome == OUTCOME_HANG ? "HANG" : "FAILED",
				r->s->name, r->target->name, r->details);
	}
}

void report_tap(FILE *f, const struct results *rs)
{
	fprintf(f, "TAP version 13\n1..%d\n", rs->n);
	for (int i = 0; i < rs->n; i++) {
		const struct result *r = &rs->r[i];
		const char *name = r->target->name;

		switch (r->outcome) {
		case OUTCOME_PASS:
			fprintf(f, "ok %d - %s [%s]\n", i + 1, r->s->name, name);
			break;
		case OUTCOME_SKIP:
		case OUTCOME_DESIGN:
		case OUTCOME_NA:
			fprintf(f, "ok %d - %s [%s] # SKIP %s%s\n", i + 1, r->s->name, name,
				r->outcome == OUTCOME_DESIGN ? "by design: " :
				r->outcome == OUTCOME_NA ? "n/a: " : "",
				r->skip_reason ? r->skip_reason : "");
			break;
		case OUTCOME_BUG:
			/* An expected failure: TAP's TODO. */
			fprintf(f, "not ok %d - %s [%s] # TODO bug reproduced (declared)\n",
				i + 1, r->s->name, name);
			break;
		default:
			fprintf(f, "not ok %d - %s [%s]%s\n", i + 1, r->s->name, name,
				r->outcome == OUTCOME_NO_BUG ? " # expected bug did not reproduce" :
				r->outcome == OUTCOME_HANG ? " # hang: connection aborted" : "");
			break;
		}
		if (r->details && r->outcome != OUTCOME_PASS) {
			fprintf(f, "  ---\n  message: |\n");
			for (const char *p = r->details; *p;) {
				size_t n = strcspn(p, "\n");

				fprintf(f, "    %.*s\n", (int)n, p);
				p += n + (p[n] == '\n');
			}
			fprintf(f, "  ...\n");
		}
	}
}

int report_junit(const char *path, const struct results *rs)
{
	FILE *f = fopen(path, "w");
	int failures = 0, skipped = 0;

	if (!f)
		return -1;
	for (int i = 0; i < rs->n; i++) {
		failures += result_unexpected(&rs->r[i]);
		skipped += rs->r[i].outcome == OUTCOME_SKIP || rs->r[i].outcome == OUTCOME_DESIGN ||
			   rs->r[i].outcome == OUTCOME_NA;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites>\n<testsuite name=\"vfs-scenario\" tests=\"%d\" failures=\"%d\" "
		   "skipped=\"%d\">\n", rs->n, failures, skipped);
	for (int i = 0; i < rs->n; i++) {
		const struct result *r = &rs->r[i];

		fprintf(f, "  <testcase classname=\"");
		markup_escape(f, r->s->case_name);
		fprintf(f, "\" name=\"");
		markup_escape(f, r->s->name);
		fprintf(f, " [%s]\">", r->target->name);
		if (r->outcome == OUTCOME_SKIP || r->outcome == OUTCOME_DESIGN ||
		    r->outcome == OUTCOME_NA) {
			fprintf(f, "<skipped message=\"");
			if (r->outcome != OUTCOME_SKIP)
				fprintf(f, r->outcome == OUTCOME_NA ? "n/a: " : "by design: ");
			markup_escape(f, r->skip_reason);
			fprintf(f, "\"/>");
		} else if (result_unexpected(r)) {
			fprintf(f, "<failure message=\"%s\">", outcome_name(r->outcome));
			markup_escape(f, r->details);
			fprintf(f, "</failure>");
		} else if (r->outcome == OUTCOME_BUG) {
			fprintf(f, "<system-out>bug reproduced, as declared\n");
			markup_escape(f, r->details);
			fprintf(f, "</system-out>");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	return fclose(f) ? -1 : 0;
}

void report_totals(FILE *f, const struct results *rs)
{
	int pass = 0, fail = 0, skip = 0, design = 0, na = 0;

	for (int i = 0; i < rs->n; i++) {
		if (rs->r[i].outcome == OUTCOME_NA)
			na++; /* not counted: the target does not offer what it is about */
		else if (rs->r[i].outcome == OUTCOME_SKIP)
			skip++;
		else if (rs->r[i].outcome == OUTCOME_DESIGN)
			design++;
		else if (result_unexpected(&rs->r[i]))
			fail++;
		else
			pass++;
	}
	if (rs->lost)
		fprintf(f, "vfs-scenario: %d results lost for want of memory: counted as failed\n",
			rs->lost);
	fprintf(f, "vfs-scenario: %d passed, %d failed, %d skipped", pass, fail + rs->lost, skip);
	/* Only when there are some: the line stays as it was for every other run. */
	if (design)
		fprintf(f, ", %d by design", design);
	if (na)
		fprintf(f, ", %d not offered (n/a)", na);
	fprintf(f, "\n");
}
