/* results_json: a run as a results document (results_json.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "results/results_html.h"
#include "results_json.h"
#include "target_version.h"

static void put(struct json_object *o, const char *key, const char *s, size_t n)
{
	if (s && n)
		json_object_object_add(o, key, json_object_new_string_len(s, (int)n));
}

static void put_str(struct json_object *o, const char *key, const char *s)
{
	if (s && *s)
		put(o, key, s, strlen(s));
}

/* The failing step, expected and got, and the daemon's stderr tail, from a report. */
static void put_report(struct json_object *c, const char *details)
{
	const char *exp = strstr(details, "\n  expected: ");
	const char *got = strstr(details, "\n  got:      ");
	const char *err = strstr(details, "  server stderr (last lines):\n");

	if (exp && got) {
		const char *step = exp;

		while (step > details && step[-1] != '\n')
			step--;
		put(c, "step", step, (size_t)(exp - step));
		exp += strlen("\n  expected: ");
		put(c, "expected", exp, strcspn(exp, "\n"));
		got += strlen("\n  got:      ");
		put(c, "got", got, strcspn(got, "\n"));
	}
	if (err) {
		const char *end;

		err += strlen("  server stderr (last lines):\n");
		end = strstr(err, "  the guest's console");
		put(c, "stderr", err, end ? (size_t)(end - err) : strlen(err));
	}
	put_str(c, "details", details);
}

static const char *kind_word(enum target_kind k)
{
	static const char *const w[] = { "design", "fuse-mount", "vhost-user", "foreign" };

	return k < sizeof(w) / sizeof(w[0]) ? w[k] : "?";
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* Which run a shard belongs to: its targets and scenarios, whatever the shard. */
static void put_matrix(struct json_object *d, const struct options *o, struct scenario **sc,
		       int nsc)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char text[128];

	for (int i = 0; i < o->ntargets; i++)
		h = fnv(h, o->targets[i].name);
	for (int i = 0; i < nsc; i++)
		h = fnv(h, sc[i]->name);
	snprintf(text, sizeof(text), "%d targets, %d scenarios, %016llx", o->ntargets, nsc,
		 (unsigned long long)h);
	put_str(d, "matrix", text);
}

static struct json_object *target_json(const struct options *o, const struct target *t)
{
	struct json_object *j = json_object_new_object();
	struct target_about a;

	target_about(o, t, &a);
	put_str(j, "name", t->name);
	put_str(j, "kind", kind_word(t->base->kind));
	put_str(j, "program", a.program);
	put_str(j, "version", a.version);
	put_str(j, "options", a.options);
	put_str(j, "guest_kernel", t->guest_kernel);
	return j;
}

struct json_object *results_json(const struct options *o, const struct results *rs,
				 struct scenario **sc, int nsc, time_t started)
{
	struct json_object *d = results_doc_new(VFSKIT_VERSION), *ts, *cs;
	struct utsname u;
	char when[32], host[256];

	if (!d)
		return NULL;
	if (!uname(&u))
		put_str(d, "host_kernel", u.release);
	if (!gethostname(host, sizeof(host)))
		put_str(d, "host", host);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
	put_str(d, "started", when);
	put_matrix(d, o, sc, nsc);
	if (o->shard_n) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "k", json_object_new_int(o->shard_k));
		json_object_object_add(s, "n", json_object_new_int(o->shard_n));
		json_object_object_add(d, "shard", s);
	}
	ts = results_targets(d);
	for (int i = 0; i < o->ntargets; i++)
		json_object_array_add(ts, target_json(o, &o->targets[i]));
	cs = results_cells(d);
	for (int i = 0; i < rs->n; i++) {
		const struct result *r = &rs->r[i];
		struct json_object *c = json_object_new_object();

		put_str(c, "scenario", r->s->name);
		put_str(c, "target", r->target->name);
		put_str(c, "outcome", results_outcome_word((enum results_outcome)r->outcome));
		put_str(c, "reason", r->skip_reason);
		if (r->details)
			put_report(c, r->details);
		json_object_object_add(c, "ms", json_object_new_int64(r->ms));
		json_object_array_add(cs, c);
	}
	return d;
}

int results_json_write(const struct options *o, const struct results *rs, struct scenario **sc,
		       int nsc, time_t started)
{
	struct json_object *d;
	struct errbuf e;
	int bad = 0;

	if (!o->results_path && !o->html)
		return 0;
	d = results_json(o, rs, sc, nsc, started);
	if (!d) {
		fprintf(stderr, "vfs-scenario: no memory for the results document\n");
		return -1;
	}
	if (o->results_path && results_doc_write(d, o->results_path, &e)) {
		fprintf(stderr, "vfs-scenario: %s\n", e.msg);
		bad = -1;
	}
	if (o->html) {
		char name[64];

		if (o->shard_n)
			snprintf(name, sizeof(name), "shard %d/%d", o->shard_k, o->shard_n);
		else
			snprintf(name, sizeof(name), "%d cells", rs->n);
		if (results_html_page_file(o->html, d, name, &e)) {
			fprintf(stderr, "vfs-scenario: %s\n", e.msg);
			bad = -1;
		}
	}
	json_object_put(d);
	return bad;
}
