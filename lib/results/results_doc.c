/* results_doc: the results document, read, checked and written (results_doc.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results/results_doc.h"

static const char *const words[RO_COUNT] = {
	"pass", "fail", "bug", "no-bug", "skip", "by-design", "hang", "n/a",
};
static const char *const labels[RO_COUNT] = {
	"PASS", "FAIL", "bug reproduced", "bug missing!", "SKIP", "by design", "HANG", "n/a",
};

int results_invalid(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *results_outcome_word(enum results_outcome o)
{
	return o < RO_COUNT ? words[o] : "?";
}

const char *results_outcome_label(enum results_outcome o)
{
	return o < RO_COUNT ? labels[o] : "?";
}

int results_outcome_parse(const char *word)
{
	for (int i = 0; word && i < RO_COUNT; i++)
		if (!strcmp(word, words[i]))
			return i;
	return -1;
}

bool results_outcome_unexpected(enum results_outcome o)
{
	return o == RO_FAIL || o == RO_NO_BUG || o == RO_HANG;
}

const char *results_str(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

struct json_object *results_cells(struct json_object *doc)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(doc, "cells", &v);
	return v;
}

struct json_object *results_targets(struct json_object *doc)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(doc, "targets", &v);
	return v;
}

enum results_outcome results_cell_outcome(struct json_object *cell)
{
	int o = results_outcome_parse(results_str(cell, "outcome", NULL));

	return o < 0 ? RO_FAIL : (enum results_outcome)o;
}

const char *results_cell_key(struct json_object *cell, char *buf, size_t len)
{
	snprintf(buf, len, "%s [%s]", results_str(cell, "scenario", "?"),
		 results_str(cell, "target", "?"));
	return buf;
}

bool results_outcome_shows_step(enum results_outcome o)
{
	return o == RO_FAIL || o == RO_HANG || o == RO_BUG;
}

struct json_object *results_doc_new(const char *vfskit_version)
{
	struct json_object *d = json_object_new_object();

	if (!d)
		return NULL;
	json_object_object_add(d, "format", json_object_new_string(RESULTS_FORMAT));
	json_object_object_add(d, "format_version", json_object_new_int(RESULTS_FORMAT_VERSION));
	json_object_object_add(d, "vfskit", json_object_new_string(vfskit_version));
	json_object_object_add(d, "targets", json_object_new_array());
	json_object_object_add(d, "cells", json_object_new_array());
	return d;
}

/* @key of @o has type @type (or is absent, when @optional); else says which. */
static int want(struct json_object *o, const char *where, const char *key, enum json_type type,
		bool optional, const char *name, struct errbuf *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return optional ? 0 : results_invalid(e, "%s: %s%s has no '%s'", name, where,
						 *where ? "" : "the document", key);
	if (!json_object_is_type(v, type))
		return results_invalid(e, "%s: %s%s%s is a %s, not a %s", name, where,
				  *where ? "." : "", key, json_type_to_name(json_object_get_type(v)),
				  json_type_to_name(type));
	return 0;
}

static int check_targets(struct json_object *ts, const char *name, struct errbuf *e)
{
	static const char *const optional[] = { "kind", "program", "version", "options",
						"guest_kernel" };
	size_t n = json_object_array_length(ts);

	for (size_t i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);
		char where[48];

		snprintf(where, sizeof(where), "targets[%zu]", i);
		if (!json_object_is_type(t, json_type_object))
			return results_invalid(e, "%s: %s is not an object", name, where);
		if (want(t, where, "name", json_type_string, false, name, e))
			return -EINVAL;
		for (size_t k = 0; k < sizeof(optional) / sizeof(optional[0]); k++)
			if (want(t, where, optional[k], json_type_string, true, name, e))
				return -EINVAL;
	}
	return 0;
}

static int check_cells(struct json_object *cs, const char *name, struct errbuf *e)
{
	static const char *const text[] = { "reason", "step", "expected", "got", "stderr",
					    "details" };
	size_t n = json_object_array_length(cs);

	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cs, i);
		char where[48];
		const char *o;

		snprintf(where, sizeof(where), "cells[%zu]", i);
		if (!json_object_is_type(c, json_type_object))
			return results_invalid(e, "%s: %s is not an object", name, where);
		if (want(c, where, "scenario", json_type_string, false, name, e) ||
		    want(c, where, "target", json_type_string, false, name, e) ||
		    want(c, where, "outcome", json_type_string, false, name, e) ||
		    want(c, where, "ms", json_type_int, true, name, e))
			return -EINVAL;
		for (size_t k = 0; k < sizeof(text) / sizeof(text[0]); k++)
			if (want(c, where, text[k], json_type_string, true, name, e))
				return -EINVAL;
		o = results_str(c, "outcome", "");
		if (results_outcome_parse(o) < 0)
			return results_invalid(e, "%s: %s.outcome: '%.40s' is not an outcome "
					  "(pass, fail, bug, no-bug, skip, by-design, hang, n/a)",
					  name, where, o);
	}
	return 0;
}

int results_doc_check(struct json_object *doc, const char *name, struct errbuf *e)
{
	struct json_object *v;

	if (!json_object_is_type(doc, json_type_object))
		return results_invalid(e, "%s: not a vfskit results document (not a JSON object)",
				  name);
	if (strcmp(results_str(doc, "format", ""), RESULTS_FORMAT))
		return results_invalid(e, "%s: not a vfskit results document (format is not "
				  "\"" RESULTS_FORMAT "\")", name);
	if (want(doc, "", "format_version", json_type_int, false, name, e))
		return -EINVAL;
	json_object_object_get_ex(doc, "format_version", &v);
	if (json_object_get_int(v) != RESULTS_FORMAT_VERSION)
		return results_invalid(e, "%s: format_version %d; this vfskit reads %d", name,
				  json_object_get_int(v), RESULTS_FORMAT_VERSION);
	if (want(doc, "", "vfskit", json_type_string, false, name, e) ||
	    want(doc, "", "targets", json_type_array, false, name, e) ||
	    want(doc, "", "cells", json_type_array, false, name, e) ||
	    want(doc, "", "shard", json_type_object, true, name, e))
		return -EINVAL;
	if (json_object_object_get_ex(doc, "shard", &v) && json_object_is_type(v, json_type_object)) {
		struct json_object *k, *n;

		if (want(v, "shard", "k", json_type_int, false, name, e) ||
		    want(v, "shard", "n", json_type_int, false, name, e))
			return -EINVAL;
		json_object_object_get_ex(v, "k", &k);
		json_object_object_get_ex(v, "n", &n);
		if (json_object_get_int(n) < 1 || json_object_get_int(k) < 1 ||
		    json_object_get_int(k) > json_object_get_int(n))
			return results_invalid(e, "%s: shard %d/%d is not a shard", name,
					  json_object_get_int(k), json_object_get_int(n));
	}
	return check_targets(results_targets(doc), name, e) ?: check_cells(results_cells(doc), name, e);
}

int results_doc_load(const char *path, struct json_object **doc, struct errbuf *e)
{
	struct json_tokener *tok;
	struct json_object *d = NULL;
	enum json_tokener_error jerr = json_tokener_continue;
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char buf[65536];
	size_t n = 0;
	bool trailing = false;
	int err;

	*doc = NULL;
	if (!f)
		return errbuf_set(e, -errno, "cannot open %s", path);
	tok = json_tokener_new();
	if (!tok) {
		if (f != stdin)
			fclose(f);
		return errbuf_set(e, -ENOMEM, "%s", path);
	}
	while (!d && jerr == json_tokener_continue && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		d = json_tokener_parse_ex(tok, buf, (int)n);
		jerr = json_tokener_get_error(tok);
	}
	/* One document: after it, blanks only (two files run together are not one). */
	if (d) {
		size_t at = json_tokener_get_parse_end(tok);

		for (;;) {
			for (; at < n && !trailing; at++)
				trailing = !strchr(" \t\r\n", buf[at]);
			if (trailing || !(n = fread(buf, 1, sizeof(buf), f)))
				break;
			at = 0;
		}
	}
	err = ferror(f) ? -EIO : 0;
	if (f != stdin)
		fclose(f);
	if (err) {
		json_tokener_free(tok);
		json_object_put(d);
		return errbuf_set(e, err, "cannot read %s", path);
	}
	if (!d) {
		if (jerr == json_tokener_continue)
			results_invalid(e, "%s: not JSON: it ends too soon", path);
		else
			results_invalid(e, "%s: not JSON: %s at byte %zu", path,
				   json_tokener_error_desc(jerr), json_tokener_get_parse_end(tok));
		json_tokener_free(tok);
		return -EINVAL;
	}
	json_tokener_free(tok);
	if (trailing) {
		json_object_put(d);
		return results_invalid(e, "%s: more after the JSON document (two files run "
				       "together?)", path);
	}
	err = results_doc_check(d, path, e);
	if (err) {
		json_object_put(d);
		return err;
	}
	*doc = d;
	return 0;
}

int results_doc_write(struct json_object *doc, const char *path, struct errbuf *e)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	FILE *f = strcmp(path, "-") ? fopen(path, "we") : stdout;
	int err = 0;

	if (!f)
		return errbuf_set(e, -errno, "cannot write %s", path);
	if (!text || fputs(text, f) < 0 || fputc('\n', f) < 0)
		err = -EIO;
	if (f == stdout ? fflush(f) : fclose(f))
		err = err ?: -errno;
	return err ? errbuf_set(e, err, "cannot write %s", path) : 0;
}
