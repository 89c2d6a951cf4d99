/* results_merge: shards joined (results_merge.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_merge.h"

static int shard_of(struct json_object *doc, int *k, int *n)
{
	struct json_object *s, *v;

	*k = *n = 0;
	if (!json_object_object_get_ex(doc, "shard", &s) || !json_object_is_type(s, json_type_object))
		return 0;
	if (json_object_object_get_ex(s, "k", &v))
		*k = json_object_get_int(v);
	if (json_object_object_get_ex(s, "n", &v))
		*n = json_object_get_int(v);
	return *n > 0;
}

/* Every shard K of N of one run once, none missing. */
static int check_shards(struct json_object **docs, const char *const *names, int n,
			struct errbuf *e)
{
	for (int i = 0; i < n; i++) {
		const char *run = results_str(docs[i], "matrix", "");
		int ki, ni, count = 0;

		if (!shard_of(docs[i], &ki, &ni))
			continue;
		for (int j = 0; j < n; j++) {
			int kj, nj;

			if (!shard_of(docs[j], &kj, &nj) || strcmp(run, results_str(docs[j], "matrix", "")))
				continue;
			if (nj != ni)
				return results_invalid(e, "%s is shard %d/%d, %s is shard %d/%d of "
						  "the same run: shards of one run share their N",
						  names[i], ki, ni, names[j], kj, nj);
			if (j > i && kj == ki)
				return results_invalid(e, "shard %d/%d is given twice: %s and %s",
						  ki, ni, names[i], names[j]);
			count++;
		}
		if (count < ni)
			for (int k = 1; k <= ni; k++) {
				bool seen = false;

				for (int j = 0; j < n && !seen; j++) {
					int kj, nj;

					seen = shard_of(docs[j], &kj, &nj) && kj == k &&
					       !strcmp(run, results_str(docs[j], "matrix", ""));
				}
				if (!seen)
					return results_invalid(e, "shard %d/%d of the run %s belongs "
							  "to is missing: its cells would be lost",
							  k, ni, names[i]);
			}
	}
	return 0;
}

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* The targets of every document, once each; one name with two versions is refused. */
static int merge_targets(struct json_object **docs, const char *const *names, int n,
			 struct json_object *out, struct errbuf *e)
{
	struct json_object *seen = json_object_new_object(), *list = results_targets(out);
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		struct json_object *ts = results_targets(docs[i]);

		for (size_t j = 0; j < json_object_array_length(ts) && !err; j++) {
			struct json_object *t = json_object_array_get_idx(ts, j), *prev, *from;
			const char *name = results_str(t, "name", "");

			if (json_object_object_get_ex(seen, name, &prev)) {
				json_object_object_get_ex(prev, "from", &from);
				json_object_object_get_ex(prev, "target", &prev);
				if (!same_text(results_str(t, "version", NULL),
					       results_str(prev, "version", NULL)))
					err = results_invalid(e, "target %s is version '%s' in %s, "
							 "'%s' in %s: runs of different daemons are "
							 "compared, not merged", name,
							 results_str(prev, "version", ""),
							 json_object_get_string(from),
							 results_str(t, "version", ""), names[i]);
				continue;
			}
			prev = json_object_new_object();
			json_object_object_add(prev, "target", json_object_get(t));
			json_object_object_add(prev, "from", json_object_new_string(names[i]));
			json_object_object_add(seen, name, prev);
			json_object_array_add(list, json_object_get(t));
		}
	}
	json_object_put(seen);
	return err;
}

static int merge_cells(struct json_object **docs, const char *const *names, int n,
		       struct json_object *out, struct errbuf *e)
{
	struct json_object *seen = json_object_new_object(), *list = results_cells(out);
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		struct json_object *cs = results_cells(docs[i]);

		for (size_t j = 0; j < json_object_array_length(cs) && !err; j++) {
			struct json_object *c = json_object_array_get_idx(cs, j), *prev;
			char key[512];

			results_cell_key(c, key, sizeof(key));
			if (json_object_object_get_ex(seen, key, &prev)) {
				err = results_invalid(e, "the cell %s is in both %s and %s", key,
						 json_object_get_string(prev), names[i]);
				break;
			}
			json_object_object_add(seen, key, json_object_new_string(names[i]));
			json_object_array_add(list, json_object_get(c));
		}
	}
	json_object_put(seen);
	return err;
}

/* A top-level string every document agrees on is kept; else it is left out. */
static void keep_common(struct json_object **docs, int n, struct json_object *out, const char *key)
{
	const char *v = results_str(docs[0], key, NULL);

	for (int i = 1; i < n && v; i++)
		if (!same_text(v, results_str(docs[i], key, NULL)))
			v = NULL;
	if (v)
		json_object_object_add(out, key, json_object_new_string(v));
}

int results_merge(struct json_object **docs, const char *const *names, int n,
		  struct json_object **out, struct errbuf *e)
{
	struct json_object *m, *from;
	const char *version;
	int err;

	*out = NULL;
	if (n < 1)
		return results_invalid(e, "nothing to merge");
	version = results_str(docs[0], "vfskit", "");
	for (int i = 1; i < n; i++)
		if (strcmp(version, results_str(docs[i], "vfskit", "")))
			return results_invalid(e, "%s is from vfskit %s, %s from %s: results of "
					  "different releases are compared, not merged", names[0],
					  version, names[i], results_str(docs[i], "vfskit", ""));
	err = check_shards(docs, names, n, e);
	if (err)
		return err;
	m = results_doc_new(version);
	if (!m)
		return errbuf_set(e, -ENOMEM, "merge");
	keep_common(docs, n, m, "host_kernel");
	keep_common(docs, n, m, "matrix");
	from = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *f = json_object_new_object(), *s;

		json_object_object_add(f, "file", json_object_new_string(names[i]));
		if (json_object_object_get_ex(docs[i], "shard", &s))
			json_object_object_add(f, "shard", json_object_get(s));
		if (results_str(docs[i], "host", NULL))
			json_object_object_add(f, "host", json_object_new_string(
							  results_str(docs[i], "host", "")));
		json_object_array_add(from, f);
	}
	json_object_object_add(m, "merged_from", from);
	err = merge_targets(docs, names, n, m, e) ?: merge_cells(docs, names, n, m, e);
	if (err) {
		json_object_put(m);
		return err;
	}
	*out = m;
	return 0;
}
