/*
 * shrink: delta debugging (Zeller's ddmin, complements only) on the steps
 * of a failing sequence, then on the optional words of each step that
 * remains. A trial is the sequence replayed on a fresh fixture and a
 * fresh daemon; it counts when the same verdict site shows. A removed
 * step's variable reads as 0 in later steps (${nK:-0}), so every subset
 * is a sequence that runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define SHRINK_MAX_TRIALS 400
#define DRAIN_MAX_VARS 4096

/* K of a "${nK:-0}" word, or -1. */
static int var_of(const char *w)
{
	char *end;
	long k;

	if (strncmp(w, "${", 2) || (w[2] != 'n' && w[2] != 'h'))
		return -1;
	k = strtol(w + 3, &end, 10);
	return strcmp(end, ":-0}") || k < 0 || k >= DRAIN_MAX_VARS ? -1 : (int)k;
}

int seq_drain(struct session *ss, const struct seq *s, struct seq *out, int *open_files)
{
	static long count[DRAIN_MAX_VARS];
	static bool open_on[DRAIN_MAX_VARS], fh_open[DRAIN_MAX_VARS];
	char line[1024];
	size_t at;
	int n = 0;
	struct fstep st;

	memset(count, 0, sizeof(count));
	memset(open_on, 0, sizeof(open_on));
	memset(fh_open, 0, sizeof(fh_open));
	*open_files = 0;
	/* Lookup counts by variable, as the steps made them; files opened on a node keep it. */
	for (size_t i = 0; i < s->nr; i++) {
		const struct fstep *t = &s->v[i];
		const char *op = t->argv[0];

		if (t->kind != FSTEP_FUSE)
			continue;
		if (t->capture >= 0 && t->capture < DRAIN_MAX_VARS && t->capture_kind == 'n' &&
		    *vars_get(&ss->vars, t->capture))
			count[t->capture]++;
		if (!strcmp(op, "open") && t->capture >= 0 && t->capture < DRAIN_MAX_VARS &&
		    *vars_get(&ss->vars, t->capture)) {
			fh_open[t->capture] = true;
			if (t->argc > 1 && var_of(t->argv[1]) >= 0)
				open_on[var_of(t->argv[1])] = true;
		}
		if (!strcmp(op, "release") && t->argc == 3 && var_of(t->argv[2]) >= 0)
			fh_open[var_of(t->argv[2])] = false; /* a failed release still counts: bounded */
		if (!strcmp(op, "forget") && t->argc == 3 && var_of(t->argv[1]) >= 0)
			count[var_of(t->argv[1])] -= atol(t->argv[2]);
		if (!strcmp(op, "batch-forget"))
			for (int w = 1; w + 1 < t->argc; w += 2)
				if (var_of(t->argv[w]) >= 0)
					count[var_of(t->argv[w])] -= atol(t->argv[w + 1]);
	}
	for (int k = 0; k < DRAIN_MAX_VARS; k++)
		*open_files += fh_open[k];
	memset(out, 0, sizeof(*out));
	strcpy(line, "batch-forget");
	at = strlen(line);
	for (int k = 0; k <= DRAIN_MAX_VARS; k++) {
		bool last = k == DRAIN_MAX_VARS;

		if (!last && (count[k] <= 0 || open_on[k]))
			continue;
		if (!last) {
			at += (size_t)snprintf(line + at, sizeof(line) - at, " ${n%d:-0} %ld", k, count[k]);
			n++;
		}
		if (n && (n == 10 || last)) {
			if (fstep_make(&st, FSTEP_FUSE, "%s", line) || seq_push(out, &st))
				return -ENOMEM;
			strcpy(line, "batch-forget");
			at = strlen(line);
			n = 0;
		}
	}
	/* A FORGET has no reply: a GETATTR after it is answered once a one-thread server took it. */
	if (fstep_make(&st, FSTEP_FUSE, "getattr 1") || seq_push(out, &st))
		return -ENOMEM;
	return 0;
}

/* Runs @d's steps on the running session. */
static void run_all(struct session *ss, const struct seq *d)
{
	struct strbuf value = STRBUF_INIT;

	for (size_t i = 0; i < d->nr; i++) {
		strbuf_reset(&value);
		session_step(ss, &d->v[i], &value);
	}
	strbuf_release(&value);
}

bool seq_reproduces(struct session *ss, const struct seq *s, const char *site)
{
	struct strbuf value = STRBUF_INIT, err = STRBUF_INIT;
	bool shown = false;

	if (session_start(ss, &err)) {
		strbuf_release(&err);
		return false;
	}
	for (size_t i = 0; i < s->nr && !shown; i++) {
		strbuf_reset(&value);
		session_step(ss, &s->v[i], &value);
		for (int k = 0; k < ORACLE_COUNT && !shown; k++) {
			const char *at = fuzz_oracle_site(ss->oracle, k);

			shown = at && !strcmp(at, site);
		}
		if (fuzz_oracle_site(ss->oracle, ORACLE_ALIVE) && !shown)
			break; /* it died of something else: nothing more to see */
	}
	if (!shown && !strcmp(site, "growth fds") && !fuzz_oracle_site(ss->oracle, ORACLE_ALIVE)) {
		struct seq d;
		int open_files;

		if (!seq_drain(ss, s, &d, &open_files)) {
			long limit = ss->fds_start + ss->o->fd_slack + open_files;

			if (!ss->growth_plain)
				run_all(ss, &d); /* else the drain is in the sequence */
			shown = !fuzz_oracle_site(ss->oracle, ORACLE_ALIVE) &&
				session_fds_settled(ss, limit) > limit;
			ss->growth_limit = limit;
		}
		seq_free(&d);
	}
	if (!shown && !strncmp(site, "canary", 6)) {
		strbuf_reset(&value);
		shown = session_canary(ss, &value) == 1;
	}
	session_stop(ss);
	strbuf_release(&value);
	strbuf_release(&err);
	return shown;
}

/* Whether every ${xK:-0} of @st names a variable in @defined. */
static bool refs_defined(const struct fstep *st, const unsigned char *defined, size_t ndef)
{
	for (int i = 0; i < st->argc; i++) {
		const char *w = st->argv[i];
		long k;

		if (strncmp(w, "${", 2))
			continue;
		k = strtol(w + 3, NULL, 10);
		if (k < 0 || (size_t)k >= ndef * 8 || !(defined[k / 8] & (1u << (k % 8))))
			return false;
	}
	return true;
}

/*
 * @s without steps [@from, @to): a new sequence sharing nothing with @s.
 * A faithful sequence also loses the steps that name a variable no kept
 * step sets: a kernel only names what it was given, and 0 in its place
 * would be a request no kernel sends.
 */
static int without(const struct seq *s, size_t from, size_t to, struct seq *out, bool faithful)
{
	unsigned char defined[4096] = { 0 };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->nr; i++) {
		struct fstep c;

		if (i >= from && i < to)
			continue;
		if (faithful && !refs_defined(&s->v[i], defined, sizeof(defined)))
			continue;
		if (s->v[i].capture >= 0 && (size_t)s->v[i].capture < sizeof(defined) * 8)
			defined[s->v[i].capture / 8] |= (unsigned char)(1u << (s->v[i].capture % 8));
		if (fstep_copy(&c, &s->v[i]) || seq_push(out, &c)) {
			seq_free(out);
			return -ENOMEM;
		}
	}
	return 0;
}

static int shrink_steps(struct session *ss, struct seq *s, const char *site, int *trials)
{
	size_t n = 2;

	while (s->nr >= 2 && *trials < SHRINK_MAX_TRIALS) {
		size_t chunk = (s->nr + n - 1) / n;
		bool reduced = false;

		for (size_t from = 0; from < s->nr && *trials < SHRINK_MAX_TRIALS; from += chunk) {
			struct seq c;

			if (without(s, from, from + chunk, &c, ss->o->faithful))
				return -ENOMEM;
			(*trials)++;
			if (c.nr && seq_reproduces(ss, &c, site)) {
				seq_free(s);
				*s = c;
				n = n > 2 ? n - 1 : 2;
				reduced = true;
				break;
			}
			seq_free(&c);
		}
		if (!reduced) {
			if (n >= s->nr)
				break;
			n = n * 2 < s->nr ? n * 2 : s->nr;
		}
	}
	return 0;
}

/* Words a step can lose and still be a request: a raw send's fields, a read's size and offset. */
static int first_optional(const struct fstep *st)
{
	if (st->kind == FSTEP_RAW && !strcmp(st->argv[0], "send")) {
		int i = 1;

		while (i < st->argc && strchr(st->argv[i], '=') && !strchr(st->argv[i], ':'))
			i++;
		return i + 2; /* after OPCODE NODEID */
	}
	if (st->kind == FSTEP_FUSE && !strcmp(st->argv[0], "read"))
		return 2;
	return st->argc;
}

static int shrink_words(struct session *ss, struct seq *s, const char *site, int *trials)
{
	for (size_t i = 0; i < s->nr && *trials < SHRINK_MAX_TRIALS; i++) {
		struct fstep *st = &s->v[i];

		for (int w = st->argc - 1; w >= first_optional(st) && *trials < SHRINK_MAX_TRIALS; w--) {
			char *gone = st->argv[w];

			memmove(&st->argv[w], &st->argv[w + 1],
				(size_t)(st->argc - w - 1) * sizeof(char *));
			st->argc--;
			(*trials)++;
			if (seq_reproduces(ss, s, site)) {
				free(gone);
				continue;
			}
			memmove(&st->argv[w + 1], &st->argv[w],
				(size_t)(st->argc - w) * sizeof(char *));
			st->argv[w] = gone;
			st->argc++;
		}
	}
	return 0;
}

int seq_shrink(struct session *ss, struct seq *s, const char *site, int *trials)
{
	int r;

	*trials = 0;
	r = shrink_steps(ss, s, site, trials);
	if (!r)
		r = shrink_words(ss, s, site, trials);
	return r;
}

int seq_drop_unsent(struct session *ss, struct seq *s)
{
	struct strbuf value = STRBUF_INIT, err = STRBUF_INIT;
	size_t kept = 0;
	int r;

	r = session_start(ss, &err);
	strbuf_release(&err);
	if (r)
		return r;
	for (size_t i = 0; i < s->nr; i++) {
		strbuf_reset(&value);
		if (session_step(ss, &s->v[i], &value) == -ECANCELED)
			fstep_free(&s->v[i]);
		else
			s->v[kept++] = s->v[i];
	}
	s->nr = kept;
	session_stop(ss);
	strbuf_release(&value);
	return 0;
}
