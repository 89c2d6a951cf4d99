/* results_html: the page (results_html.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_html.h"
#include "util/markup_escape.h"

static const char css[] =
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:2px 6px}"
	"th{background:#eee;font-weight:600}"
	"table.matrix th.col{writing-mode:vertical-rl;transform:rotate(180deg);"
	"white-space:nowrap;vertical-align:bottom}"
	"table.matrix td{text-align:center;white-space:nowrap;font-size:12px}"
	"table.matrix td.s{text-align:left;font-family:monospace;position:sticky;left:0;background:#fff}"
	"td a{color:inherit}td.none{background:#fff}"
	".o-pass{background:#c8e6c9}.o-fail,.o-hang,.o-no-bug{background:#e53935;color:#fff;"
	"font-weight:700}.o-bug{background:#ffe082}.o-skip{background:#e0e0e0;color:#555}"
	".o-by-design{background:#d7e3f4;color:#345}.o-n-a{background:#fafafa;color:#aaa}"
	".k-regression{background:#e53935;color:#fff}.k-fixed{background:#43a047;color:#fff}"
	".k-changed{background:#fff3c4}.k-gone,.k-added{background:#e3f2fd}"
	"td.moved{outline:3px solid #1565c0;outline-offset:-3px}"
	"section.cell{border:1px solid #ccc;margin:.8em 0;padding:.4em .8em}"
	"section.cell:target{outline:3px solid #1565c0}"
	"dt{font-weight:600}dd{margin:0 0 .4em 1.5em;font-family:monospace;white-space:pre-wrap}"
	"pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap}"
	".legend span{display:inline-block;padding:1px 6px;margin-right:4px}";

/* "n/a" is no CSS class name: "n-a". */
static void outcome_class(FILE *f, enum results_outcome o)
{
	fputs("o-", f);
	fputs(o == RO_NA ? "n-a" : results_outcome_word(o), f);
}

static void head(FILE *f, const char *title)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>");
	markup_escape(f, title);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>", css);
	markup_escape(f, title);
	fprintf(f, "</h1>\n");
}

static void legend(FILE *f)
{
	fprintf(f, "<p class=\"legend\">");
	for (int o = 0; o < RO_COUNT; o++) {
		fprintf(f, "<span class=\"");
		outcome_class(f, (enum results_outcome)o);
		fprintf(f, "\">%s</span>", results_outcome_label((enum results_outcome)o));
	}
	fprintf(f, "<br>bug reproduced: the scenario's declared bug showed on a target it names "
		   "(as expected); bug missing!: it did not; by design: what the daemon documents; "
		   "n/a: the daemon does not offer what the scenario is about.</p>\n");
}

static void targets_table(FILE *f, struct json_object *doc)
{
	struct json_object *ts = results_targets(doc);
	static const char *const cols[] = { "name", "kind", "program", "version", "options",
					    "guest_kernel" };

	fprintf(f, "<h2>Targets</h2>\n<table><tr><th>target</th><th>kind</th><th>program</th>"
		   "<th>version</th><th>options</th><th>guest kernel</th></tr>\n");
	for (size_t i = 0; i < json_object_array_length(ts); i++) {
		fprintf(f, "<tr>");
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			fprintf(f, "<td>");
			markup_escape(f, results_str(json_object_array_get_idx(ts, i), cols[k], ""));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
}

/* The names in @cells' @key, each once, in the order first seen; then those of @ts. */
static struct json_object *names_of(struct json_object *ts, struct json_object *cells,
				    const char *key)
{
	struct json_object *seen = json_object_new_object(), *list = json_object_new_array();

	for (size_t i = 0; ts && i < json_object_array_length(ts); i++) {
		const char *n = results_str(json_object_array_get_idx(ts, i), "name", "");

		if (!json_object_object_get_ex(seen, n, NULL)) {
			json_object_object_add(seen, n, NULL);
			json_object_array_add(list, json_object_new_string(n));
		}
	}
	for (size_t i = 0; i < json_object_array_length(cells); i++) {
		const char *n = results_str(json_object_array_get_idx(cells, i), key, "");

		if (!json_object_object_get_ex(seen, n, NULL)) {
			json_object_object_add(seen, n, NULL);
			json_object_array_add(list, json_object_new_string(n));
		}
	}
	json_object_put(seen);
	return list;
}

static bool has_more(struct json_object *c)
{
	return results_str(c, "details", NULL) || results_str(c, "reason", NULL) ||
	       results_str(c, "stderr", NULL) || results_str(c, "step", NULL);
}

/*
 * The matrix of @doc's cells; @marks (key -> change word), if given, marks
 * the cells that changed and says what they were.
 */
static void matrix(FILE *f, struct json_object *doc, struct json_object *marks)
{
	struct json_object *cells = results_cells(doc), *index = json_object_new_object();
	struct json_object *cols = names_of(results_targets(doc), cells, "target");
	struct json_object *rows = names_of(NULL, cells, "scenario");

	for (size_t i = 0; i < json_object_array_length(cells); i++) {
		char key[512];

		json_object_object_add(index, results_cell_key(json_object_array_get_idx(cells, i),
							       key, sizeof(key)),
				       json_object_new_int((int)i));
	}
	fprintf(f, "<table class=\"matrix\"><tr><th>scenario</th>");
	for (size_t d = 0; d < json_object_array_length(cols); d++) {
		fprintf(f, "<th class=\"col\">");
		markup_escape(f, json_object_get_string(json_object_array_get_idx(cols, d)));
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	for (size_t r = 0; r < json_object_array_length(rows); r++) {
		const char *s = json_object_get_string(json_object_array_get_idx(rows, r));

		fprintf(f, "<tr><td class=\"s\">");
		markup_escape(f, s);
		fprintf(f, "</td>");
		for (size_t d = 0; d < json_object_array_length(cols); d++) {
			const char *t = json_object_get_string(json_object_array_get_idx(cols, d));
			struct json_object *at, *c, *mark = NULL;
			char key[512];

			snprintf(key, sizeof(key), "%s [%s]", s, t);
			if (!json_object_object_get_ex(index, key, &at)) {
				fprintf(f, "<td class=\"none\"></td>"); /* no such cell */
				continue;
			}
			c = json_object_array_get_idx(cells, (size_t)json_object_get_int(at));
			if (marks)
				json_object_object_get_ex(marks, key, &mark);
			fprintf(f, "<td class=\"");
			outcome_class(f, results_cell_outcome(c));
			fprintf(f, "%s\"%s%s%s>", mark ? " moved" : "", mark ? " title=\"" : "",
				mark ? json_object_get_string(mark) : "", mark ? "\"" : "");
			if (has_more(c))
				fprintf(f, "<a href=\"#c%d\">%s</a>", json_object_get_int(at),
					results_outcome_label(results_cell_outcome(c)));
			else
				fprintf(f, "%s", results_outcome_label(results_cell_outcome(c)));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
	json_object_put(index);
	json_object_put(cols);
	json_object_put(rows);
}

static void field(FILE *f, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(f, "<dt>%s</dt><dd>", label);
	markup_escape(f, value);
	fprintf(f, "</dd>");
}

/* Each cell with something to say: its section, the matrix's links' target. */
static void sections(FILE *f, struct json_object *doc)
{
	struct json_object *cells = results_cells(doc);

	fprintf(f, "<h2>Cells</h2>\n");
	for (size_t i = 0; i < json_object_array_length(cells); i++) {
		struct json_object *c = json_object_array_get_idx(cells, i), *ms;
		char key[512];

		if (!has_more(c))
			continue;
		fprintf(f, "<section class=\"cell\" id=\"c%zu\"><h3>", i);
		markup_escape(f, results_cell_key(c, key, sizeof(key)));
		fprintf(f, ": <span class=\"");
		outcome_class(f, results_cell_outcome(c));
		fprintf(f, "\">%s</span></h3><dl>", results_outcome_label(results_cell_outcome(c)));
		field(f, "reason", results_str(c, "reason", NULL));
		field(f, "failing step", results_str(c, "step", NULL));
		field(f, "expected", results_str(c, "expected", NULL));
		field(f, "got", results_str(c, "got", NULL));
		if (json_object_object_get_ex(c, "ms", &ms))
			fprintf(f, "<dt>time</dt><dd>%.1f s</dd>", json_object_get_int64(ms) / 1000.0);
		fprintf(f, "</dl>");
		if (results_str(c, "stderr", NULL)) {
			fprintf(f, "<h4>the daemon's stderr (last lines)</h4><pre>");
			markup_escape(f, results_str(c, "stderr", ""));
			fprintf(f, "</pre>");
		}
		if (results_str(c, "details", NULL)) {
			fprintf(f, "<details><summary>the whole report</summary><pre>");
			markup_escape(f, results_str(c, "details", ""));
			fprintf(f, "</pre></details>");
		}
		fprintf(f, "</section>\n");
	}
}

static void totals(FILE *f, struct json_object *doc)
{
	struct json_object *cells = results_cells(doc);
	int n[RO_COUNT] = { 0 };

	for (size_t i = 0; i < json_object_array_length(cells); i++)
		n[results_cell_outcome(json_object_array_get_idx(cells, i))]++;
	fprintf(f, "<p>%zu cells:", json_object_array_length(cells));
	for (int o = 0; o < RO_COUNT; o++)
		if (n[o])
			fprintf(f, " %d %s;", n[o], results_outcome_label((enum results_outcome)o));
	fprintf(f, " vfskit ");
	markup_escape(f, results_str(doc, "vfskit", "?"));
	if (results_str(doc, "host_kernel", NULL)) {
		fprintf(f, ", host kernel ");
		markup_escape(f, results_str(doc, "host_kernel", ""));
	}
	if (results_str(doc, "started", NULL)) {
		fprintf(f, ", started ");
		markup_escape(f, results_str(doc, "started", ""));
	}
	fprintf(f, ".</p>\n");
}

static int end(FILE *f)
{
	fprintf(f, "</body></html>\n");
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int results_html_page(FILE *f, struct json_object *doc, const char *name)
{
	char title[512];

	snprintf(title, sizeof(title), "vfskit results: %s", name);
	head(f, title);
	totals(f, doc);
	legend(f);
	matrix(f, doc, NULL);
	targets_table(f, doc);
	sections(f, doc);
	return end(f);
}

int results_html_compare(FILE *f, const struct results_diff *diff, struct json_object *old,
			 struct json_object *new, const char *old_name, const char *new_name)
{
	struct json_object *marks = json_object_new_object();
	char title[1024];

	snprintf(title, sizeof(title), "vfskit: %s compared with %s", new_name, old_name);
	head(f, title);
	fprintf(f, "<p>Was: ");
	markup_escape(f, old_name);
	fprintf(f, ", vfskit ");
	markup_escape(f, results_str(old, "vfskit", "?"));
	fprintf(f, ", %zu cells. Now: ", json_object_array_length(results_cells(old)));
	markup_escape(f, new_name);
	fprintf(f, ", vfskit ");
	markup_escape(f, results_str(new, "vfskit", "?"));
	fprintf(f, ", %zu cells.</p>\n<p>", json_object_array_length(results_cells(new)));
	for (int k = 0; k < RC_KINDS; k++)
		fprintf(f, "%s<span class=\"k-%s\">%d %s</span>", k ? ", " : "",
			results_change_word((enum results_change)k), diff->count[k],
			results_change_word((enum results_change)k));
	fprintf(f, "</p>\n<h2>What changed</h2>\n<table><tr><th>change</th><th>cell</th>"
		   "<th>was</th><th>now</th><th>where</th></tr>\n");
	for (int i = 0; i < diff->n; i++) {
		const struct results_delta *d = &diff->d[i];
		struct json_object *c = d->new ? d->new : d->old;
		char key[512], mark[160];

		if (d->kind == RC_SAME)
			continue;
		results_cell_key(c, key, sizeof(key));
		snprintf(mark, sizeof(mark), "%s: was %s", results_change_word(d->kind),
			 d->old ? results_outcome_label(results_cell_outcome(d->old)) : "not run");
		json_object_object_add(marks, key, json_object_new_string(mark));
		fprintf(f, "<tr><td class=\"k-%s\">%s</td><td>", results_change_word(d->kind),
			results_change_word(d->kind));
		markup_escape(f, key);
		fprintf(f, "</td>");
		for (int side = 0; side < 2; side++) {
			struct json_object *x = side ? d->new : d->old;

			if (!x) {
				fprintf(f, "<td></td>");
				continue;
			}
			fprintf(f, "<td class=\"");
			outcome_class(f, results_cell_outcome(x));
			fprintf(f, "\">%s</td>", results_outcome_label(results_cell_outcome(x)));
		}
		fprintf(f, "<td>");
		if (d->new && results_str(d->new, "step", NULL) &&
		    results_outcome_shows_step(results_cell_outcome(d->new))) {
			markup_escape(f, results_str(d->new, "step", ""));
			fprintf(f, "<br>expected ");
			markup_escape(f, results_str(d->new, "expected", "?"));
			fprintf(f, ", got ");
			markup_escape(f, results_str(d->new, "got", "?"));
		} else if (d->new) {
			markup_escape(f, results_str(d->new, "reason", ""));
		}
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n<h2>");
	markup_escape(f, new_name);
	fprintf(f, "</h2>\n");
	totals(f, new);
	legend(f);
	matrix(f, new, marks);
	targets_table(f, new);
	sections(f, new);
	json_object_put(marks);
	return end(f);
}

/* Closes the page's file, and says why if it was not written whole. */
static int page_done(const char *path, FILE *f, int err, struct errbuf *e)
{
	if (f && fclose(f) && !err)
		err = -errno;
	return err ? errbuf_set(e, err, "cannot write %s", path) : 0;
}

int results_html_page_file(const char *path, struct json_object *doc, const char *name,
			   struct errbuf *e)
{
	FILE *f = fopen(path, "we");

	return page_done(path, f, f ? results_html_page(f, doc, name) : -errno, e);
}

int results_html_compare_file(const char *path, const struct results_diff *diff,
			      struct json_object *old, struct json_object *new,
			      const char *old_name, const char *new_name, struct errbuf *e)
{
	FILE *f = fopen(path, "we");

	return page_done(path, f, f ? results_html_compare(f, diff, old, new, old_name, new_name)
				    : -errno, e);
}
