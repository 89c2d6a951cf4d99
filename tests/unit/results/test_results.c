/*
 * results: a results document from elsewhere is read only if every field
 * a reader relies on is there and of its type; merge refuses what would
 * lose or double a cell; compare sorts every outcome change into the one
 * kind a CI gate acts on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_compare.h"
#include "results/results_html.h"
#include "results/results_merge.h"
#include "../unit.h"

static struct json_object *parse(const char *text)
{
	struct json_object *d = json_tokener_parse(text);

	ck_assert_msg(d, "test JSON does not parse: %s", text);
	return d;
}

/* A document of @cells (a JSON array's inside), shard @k of @n (0: none). */
static struct json_object *doc(const char *version, int k, int n, const char *targets,
			       const char *cells)
{
	char text[4096];

	if (n)
		snprintf(text, sizeof(text), "{\"format\":\"vfskit-results\",\"format_version\":1,"
			 "\"vfskit\":\"%s\",\"matrix\":\"m\",\"shard\":{\"k\":%d,\"n\":%d},"
			 "\"targets\":[%s],\"cells\":[%s]}", version, k, n, targets, cells);
	else
		snprintf(text, sizeof(text), "{\"format\":\"vfskit-results\",\"format_version\":1,"
			 "\"vfskit\":\"%s\",\"matrix\":\"m\",\"targets\":[%s],\"cells\":[%s]}",
			 version, targets, cells);
	return parse(text);
}

#define CELL(s, t, o) "{\"scenario\":\"" s "\",\"target\":\"" t "\",\"outcome\":\"" o "\"}"

static void refused(const char *text, const char *why)
{
	struct json_object *d = parse(text);
	struct errbuf e;

	ck_assert_int_eq(results_doc_check(d, "x.json", &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, why), "'%s' does not say '%s'", e.msg, why);
	json_object_put(d);
}

START_TEST(bad_documents_are_refused_naming_the_field)
{
	struct json_object *d = doc("1", 0, 0, "{\"name\":\"fixed\"}", CELL("a/b", "fixed", "pass"));
	struct errbuf e;

	ck_assert_int_eq(results_doc_check(d, "x.json", &e), 0);
	json_object_put(d);
	refused("[1,2]", "not a JSON object");
	refused("{\"format\":\"other\"}", "format is not");
	refused("{\"format\":\"vfskit-results\",\"format_version\":2,\"vfskit\":\"1\","
		"\"targets\":[],\"cells\":[]}", "format_version 2");
	refused("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
		"\"targets\":[],\"cells\":{}}", "cells is a object, not a array");
	refused("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
		"\"targets\":[{\"kind\":\"x\"}],\"cells\":[]}", "targets[0] has no 'name'");
	refused("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
		"\"targets\":[],\"cells\":[" CELL("a", "t", "pasS") "]}",
		"cells[0].outcome: 'pasS' is not an outcome");
	refused("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
		"\"targets\":[],\"cells\":[{\"scenario\":\"a\",\"target\":\"t\",\"outcome\":"
		"\"pass\",\"ms\":\"9\"}]}", "cells[0].ms is a string, not a int");
	refused("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
		"\"shard\":{\"k\":4,\"n\":3},\"targets\":[],\"cells\":[]}", "shard 4/3 is not");
}
END_TEST

START_TEST(load_names_the_file_and_the_byte)
{
	const char *dir = unit_tmpdir_make();
	char path[128];
	struct json_object *d;
	struct errbuf e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cut.json", dir);
	f = fopen(path, "w");
	fputs("{\"format\":\"vfskit-results\",\"cells\":[", f);
	fclose(f);
	ck_assert_int_eq(results_doc_load(path, &d, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "cut.json: not JSON: it ends too soon"), "%s", e.msg);
	f = fopen(path, "w");
	fputs("{\"format\" 1}", f);
	fclose(f);
	ck_assert_int_eq(results_doc_load(path, &d, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "not JSON") && strstr(e.msg, "at byte"), "%s", e.msg);
	f = fopen(path, "w");
	fputs("{\"format\":\"vfskit-results\",\"format_version\":1,\"vfskit\":\"1\","
	      "\"targets\":[],\"cells\":[]}\n \n", f);
	fclose(f);
	ck_assert_int_eq(results_doc_load(path, &d, &e), 0);
	json_object_put(d);
	f = fopen(path, "a");
	fputs("{\"format\":\"vfskit-results\"}\n", f);
	fclose(f);
	ck_assert_int_eq(results_doc_load(path, &d, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "more after the JSON document"), "%s", e.msg);
	ck_assert_int_eq(results_doc_load("/nonexistent/r.json", &d, &e), -ENOENT);
	ck_assert_msg(strstr(e.msg, "cannot open /nonexistent/r.json"), "%s", e.msg);
	unit_tmpdir_remove();
}
END_TEST

static int merge(struct json_object **docs, int n, struct json_object **out, struct errbuf *e)
{
	const char *names[] = { "s1.json", "s2.json", "s3.json" };

	return results_merge(docs, names, n, out, e);
}

static void put_all(struct json_object **docs, int n)
{
	for (int i = 0; i < n; i++)
		json_object_put(docs[i]);
}

START_TEST(merge_joins_shards_and_refuses_what_would_lose_a_cell)
{
	const char *t = "{\"name\":\"fixed\",\"version\":\"1\"}";
	struct json_object *d[3], *out;
	struct errbuf e;

	d[0] = doc("1", 1, 3, t, CELL("a", "fixed", "pass"));
	d[1] = doc("1", 2, 3, t, CELL("b", "fixed", "bug"));
	d[2] = doc("1", 3, 3, t, "");
	ck_assert_int_eq(merge(d, 3, &out, &e), 0);
	ck_assert_int_eq(json_object_array_length(results_cells(out)), 2);
	ck_assert_int_eq(json_object_array_length(results_targets(out)), 1);
	ck_assert_ptr_null(json_object_object_get(out, "shard"));
	ck_assert_int_eq(results_doc_check(out, "merged", &e), 0);
	json_object_put(out);

	ck_assert_int_eq(merge(d, 2, &out, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "shard 3/3 of the run") && strstr(e.msg, "is missing"),
		      "%s", e.msg);
	json_object_put(d[1]);
	d[1] = doc("1", 1, 3, t, CELL("b", "fixed", "bug"));
	ck_assert_int_eq(merge(d, 3, &out, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "shard 1/3 is given twice: s1.json and s2.json"), "%s", e.msg);
	put_all(d, 3);

	d[0] = doc("1", 0, 0, t, CELL("a", "fixed", "pass"));
	d[1] = doc("1", 0, 0, t, CELL("a", "fixed", "fail"));
	ck_assert_int_eq(merge(d, 2, &out, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "the cell a [fixed] is in both s1.json and s2.json"), "%s",
		      e.msg);
	json_object_put(d[1]);
	d[1] = doc("2", 0, 0, t, CELL("b", "fixed", "pass"));
	ck_assert_int_eq(merge(d, 2, &out, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "different releases"), "%s", e.msg);
	json_object_put(d[1]);
	d[1] = doc("1", 0, 0, "{\"name\":\"fixed\",\"version\":\"2\"}", CELL("b", "fixed", "pass"));
	ck_assert_int_eq(merge(d, 2, &out, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "target fixed is version '1' in s1.json, '2' in s2.json"), "%s",
		      e.msg);
	put_all(d, 2);
}
END_TEST

START_TEST(every_outcome_change_has_one_kind)
{
	static const struct {
		enum results_outcome old, new;
		enum results_change kind;
	} changes[] = {
		{ RO_PASS, RO_FAIL, RC_REGRESSION },  { RO_PASS, RO_HANG, RC_REGRESSION },
		{ RO_PASS, RO_BUG, RC_REGRESSION },   { RO_NO_BUG, RO_BUG, RC_REGRESSION },
		{ RO_BUG, RO_FAIL, RC_REGRESSION },   { RO_SKIP, RO_FAIL, RC_REGRESSION },
		{ RO_FAIL, RO_PASS, RC_FIXED },       { RO_HANG, RO_PASS, RC_FIXED },
		{ RO_BUG, RO_NO_BUG, RC_FIXED },      { RO_PASS, RO_SKIP, RC_CHANGED },
		{ RO_FAIL, RO_HANG, RC_CHANGED },     { RO_BUG, RO_SKIP, RC_CHANGED },
		{ RO_SKIP, RO_PASS, RC_CHANGED },
	};

	for (int o = 0; o < RO_COUNT; o++) {
		ck_assert_int_eq(results_change_of(o, o), RC_SAME);
		ck_assert_int_eq(results_change_of(o, -1), RC_GONE);
		ck_assert_int_eq(results_change_of(-1, o),
				 o == RO_FAIL || o == RO_HANG ? RC_REGRESSION : RC_ADDED);
	}
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		ck_assert_msg(results_change_of(changes[i].old, changes[i].new) == changes[i].kind,
			      "%s -> %s is not %s", results_outcome_word(changes[i].old),
			      results_outcome_word(changes[i].new), results_change_word(changes[i].kind));
}
END_TEST

START_TEST(compare_finds_a_planted_regression)
{
	const char *t = "{\"name\":\"fixed\"}";
	struct json_object *old = doc("1", 0, 0, t, CELL("a", "fixed", "pass") ","
				      CELL("b", "fixed", "bug") "," CELL("c", "fixed", "pass") ","
				      CELL("d", "fixed", "pass"));
	struct json_object *new = doc("2", 0, 0, t, CELL("a", "fixed", "fail") ","
				      CELL("b", "fixed", "no-bug") "," CELL("c", "fixed", "pass") ","
				      CELL("e", "fixed", "pass"));
	struct results_diff diff;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(results_compare(old, new, &diff), 0);
	ck_assert_int_eq(diff.count[RC_REGRESSION], 1);
	ck_assert_int_eq(diff.count[RC_FIXED], 1);
	ck_assert_int_eq(diff.count[RC_SAME], 1);
	ck_assert_int_eq(diff.count[RC_GONE], 1);
	ck_assert_int_eq(diff.count[RC_ADDED], 1);
	ck_assert_int_eq(diff.d[0].kind, RC_REGRESSION);
	results_diff_print(f, &diff, old, new, "old.json", "new.json");
	fclose(f);
	ck_assert_msg(strstr(text, "regression  a [fixed]: pass -> fail\n"), "%s", text);
	ck_assert_msg(strstr(text, "fixed       b [fixed]: bug -> no-bug\n"), "%s", text);
	ck_assert_msg(strstr(text, "gone        d [fixed]: was pass\n"), "%s", text);
	ck_assert_msg(strstr(text, "compare: 1 regression, 1 fixed, 0 changed, 1 gone, 1 added, "
				   "1 unchanged\n"), "%s", text);
	free(text);
	results_diff_release(&diff);
	json_object_put(old);
	json_object_put(new);
}
END_TEST

START_TEST(the_page_escapes_what_a_daemon_wrote)
{
	struct json_object *d = doc("1", 0, 0, "{\"name\":\"t<x>\"}",
				    "{\"scenario\":\"a\",\"target\":\"t<x>\",\"outcome\":\"fail\","
				    "\"stderr\":\"<script>alert(1)</script>\"}");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(results_html_page(f, d, "r&d"), 0);
	fclose(f);
	ck_assert_ptr_null(strstr(text, "<script"));
	ck_assert_ptr_nonnull(strstr(text, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(text, "a [t&lt;x&gt;]"));
	ck_assert_ptr_nonnull(strstr(text, "<a href=\"#c0\">FAIL</a>"));
	ck_assert_ptr_nonnull(strstr(text, "id=\"c0\""));
	ck_assert_ptr_nonnull(strstr(text, "vfskit results: r&amp;d"));
	free(text);
	json_object_put(d);
}
END_TEST

UNIT_SUITE(results_suite, "results", NULL, NULL, bad_documents_are_refused_naming_the_field,
	   load_names_the_file_and_the_byte, merge_joins_shards_and_refuses_what_would_lose_a_cell,
	   every_outcome_change_has_one_kind, compare_finds_a_planted_regression,
	   the_page_escapes_what_a_daemon_wrote)
