/*
 * scenario_parse: scenario files, line by line: the header, blocks
 * (repeat, background, join, end), steps (parse_step.c), and what the
 * file as a whole must have. A bad file is reported as FILE:LINE:
 * message, every error of it, and nothing runs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "obs/inject_spec.h"
#include "scenario/parser.h"

static int parse_header(struct parser *p, struct scenario *s, char **w, int n, char *raw)
{
	if (s->nsteps) {
		complain(p, "'%s' must come before the first step", w[0]);
		return -1;
	}
	if (!strcmp(w[0], "title")) {
		char *t = raw + strspn(raw, " \t") + 5;

		t += strspn(t, " \t");
		t[strcspn(t, "\n")] = '\0';
		if (!*t)
			complain(p, "title is empty");
		s->title = strdup(t);
	} else if (!strcmp(w[0], "case")) {
		if (n != 2 || !word_in(w[1], scenario_cases))
			complain(p, "case must be one of inode-id-reuse, generation-mismatch, "
				 "mount-fd-unavailable, duplicate-inode, split-rename, other");
		else
			s->case_name = strdup(w[1]);
	} else if (!strcmp(w[0], "fixture")) {
		if (n != 2 || !fixture_known(w[1]))
			complain(p, "unknown fixture '%s' (tmpfs, ext4-small, submount-nodes, hardlinks)",
				 n > 1 ? w[1] : "");
		else
			s->fixture = strdup(w[1]);
	} else if (!strcmp(w[0], "requires")) {
		for (int k = 1; k < n; k++) {
			if (!strcmp(w[k], "root"))
				s->requires |= REQUIRES_ROOT;
			else if (!strcmp(w[k], "loop"))
				s->requires |= REQUIRES_LOOP;
			else if (!strcmp(w[k], "vhost-user"))
				s->requires |= REQUIRES_VHOST_USER;
			else if (!strcmp(w[k], "forged-requests"))
				s->requires |= REQUIRES_FORGED;
			else
				complain(p, "unknown requirement '%s' (root, loop, vhost-user or "
					 "forged-requests)", w[k]);
		}
	} else if (!strcmp(w[0], "fails-on") || !strcmp(w[0], "only")) {
		for (int k = 1; k < n; k++) {
			bool fails = w[0][0] == 'f';
			int *count = fails ? &s->nfails_on : &s->nonly;
			struct target *pats = fails ? s->fails_on : s->only;
			char why[600];

			if (*count == SCENARIO_MAX_TARGETS)
				complain(p, "%s: at most %d targets", w[0], SCENARIO_MAX_TARGETS);
			else if (target_pattern_parse(w[k], &pats[*count], why, sizeof(why)))
				complain(p, "%s", why);
			else
				(*count)++;
		}
		if (n == 1)
			complain(p, "%s needs at least one target", w[0]);
	} else if (!strcmp(w[0], "by-design")) {
		char why[600];

		if (n != 3 || !*w[2])
			complain(p, "usage: by-design TARGET \"WHERE THE DAEMON DOCUMENTS IT\"");
		else if (s->nby_design == SCENARIO_MAX_TARGETS)
			complain(p, "by-design: at most %d lines", SCENARIO_MAX_TARGETS);
		else if (target_pattern_parse(w[1], &s->by_design[s->nby_design], why, sizeof(why)))
			complain(p, "%s", why);
		else
			s->by_design_why[s->nby_design++] = strdup(w[2]);
	} else if (!strcmp(w[0], "inject")) {
		struct spec spec;
		char why[160] = "";

		if (n != 2) {
			complain(p, "usage: inject SYSCALL=ERRNO[:CLAUSE]... (one spec a line)");
		} else if (spec_parse(w[1], &spec, why, sizeof(why))) {
			complain(p, "inject: bad spec '%s': %s", w[1], why);
		} else if (spec_free(&spec), s->ninject == SCENARIO_MAX_INJECT) {
			complain(p, "inject: at most %d lines", SCENARIO_MAX_INJECT);
		} else {
			s->inject[s->ninject++] = strdup(w[1]);
		}
	} else if (!strcmp(w[0], "init")) {
		if (n != 2 || !(s->init = fuse_init_profile_find(w[1])))
			complain(p, "usage: init linux-6.1|linux-6.12|minimal: what INIT offers");
	} else if (!strcmp(w[0], "limit")) {
		if (n != 2 || strncmp(w[1], "nofile=", 7) || !whole_number(w[1] + 7, 16, 1048576))
			complain(p, "usage: limit nofile=N (16 to 1048576): the server's open file limit");
		else
			s->nofile = atol(w[1] + 7);
	} else {
		/* "vfs-serve": its options */
		for (int k = 1; k < n; k++) {
			if (s->nserver_args == SCENARIO_MAX_SERVER_ARGS) {
				complain(p, "too many vfs-serve options");
				break;
			}
			if (!strncmp(w[k], "--design", 8) || !strncmp(w[k], "--control", 9) ||
			    !strncmp(w[k], "--log", 5)) {
				complain(p, "vfs-serve: %s is set by the runner", w[k]);
				continue;
			}
			s->server_args[s->nserver_args++] = strdup(w[k]);
		}
	}
	return 0;
}

static bool is_header(const char *w)
{
	static const char *const h[] = { "title", "case", "fixture", "requires", "fails-on",
					  "by-design", "only", "vfs-serve", "inject", "limit", "init",
					  NULL };
	return word_in(w, h);
}

/* The repeat and background blocks open at this line: the steps that opened them. */
struct blocks {
	int open[SCENARIO_MAX_DEPTH];
	int depth;
};

/* repeat N [NAME] */
static void block_repeat(struct parser *p, struct scenario *s, struct blocks *b, char **w, int n)
{
	struct step st = { .line = p->line, .repeat_end = -1 };
	const char *var = n == 3 ? w[2] : "i";

	if ((n != 2 && n != 3) || !whole_number(w[1], 1, 10000)) {
		complain(p, "repeat needs a whole number from 1 to 10000 "
			 "(and a counter's name: repeat N [NAME])");
		return;
	}
	if (!valid_var_name(var)) {
		complain(p, "repeat: '%s' is not a variable name", var);
		return;
	}
	if (b->depth == SCENARIO_MAX_DEPTH) {
		complain(p, "repeat blocks nest %d deep at most", SCENARIO_MAX_DEPTH);
		return;
	}
	for (int k = 0; k < b->depth; k++)
		if (s->steps[b->open[k]].repeat_var && !strcmp(s->steps[b->open[k]].repeat_var, var))
			complain(p, "repeat: '%s' already counts an enclosing repeat", var);
	st.repeat_count = atoi(w[1]);
	st.repeat_var = strdup(var);
	b->open[b->depth] = s->nsteps;
	if (st.repeat_var && add_step(p, s, &st) == 0) {
		define(p, var);
		b->depth++;
	} else {
		free(st.repeat_var);
	}
}

/* background NAME */
static void block_background(struct parser *p, struct scenario *s, struct blocks *b, char **w,
			     int n)
{
	struct step st = { .line = p->line, .repeat_end = -1 };

	if (n != 2 || !valid_var_name(w[1])) {
		complain(p, "usage: background NAME ... end, then join NAME");
	} else if (b->depth) {
		complain(p, "background blocks stand at the top level "
			 "(not inside repeat or background)");
	} else if (background_index(s, w[1]) >= 0) {
		complain(p, "background '%s' is defined twice", w[1]);
	} else if ((st.background = strdup(w[1]))) {
		b->open[b->depth] = s->nsteps;
		if (add_step(p, s, &st) == 0) {
			b->depth++;
			p->in_background = true;
		} else {
			free(st.background);
		}
	}
}

/* join NAME */
static void block_join(struct parser *p, struct scenario *s, const struct blocks *b, char **w,
		       int n)
{
	struct step st = { .line = p->line, .repeat_end = -1 };
	int k = n == 2 ? background_index(s, w[1]) : -1;

	if (n != 2)
		complain(p, "usage: join NAME");
	else if (k < 0)
		complain(p, "join: no background block '%s' before this line", w[1]);
	else if (b->depth)
		complain(p, "join stands at the top level");
	else if ((st.join = strdup(w[1])) && add_step(p, s, &st))
		free(st.join);
}

/* end, of the innermost repeat or background */
static void block_end(struct parser *p, struct scenario *s, struct blocks *b, int n)
{
	struct step st = { .line = p->line };
	int at = s->nsteps;

	if (n != 1 || !b->depth) {
		complain(p, "'end' without 'repeat' or 'background'");
		return;
	}
	st.repeat_end = b->open[b->depth - 1];
	if (add_step(p, s, &st) == 0)
		s->steps[b->open[b->depth - 1]].repeat_end = at;
	if (s->steps[b->open[b->depth - 1]].background)
		p->in_background = false;
	b->depth--;
}

/* One line's words: a header, a block line, or a step. */
static void parse_line(struct parser *p, struct scenario *s, struct blocks *b, char **w,
		       unsigned *q, int n, char *raw)
{
	/* "inject SPEC" declares a fault; "inject arm" and "inject clear" are steps. */
	if (is_header(w[0]) && !(!strcmp(w[0], "inject") && n == 2 &&
				 (!strcmp(w[1], "arm") || !strcmp(w[1], "clear"))))
		parse_header(p, s, w, n, raw);
	else if (!strcmp(w[0], "repeat"))
		block_repeat(p, s, b, w, n);
	else if (!strcmp(w[0], "background"))
		block_background(p, s, b, w, n);
	else if (!strcmp(w[0], "join"))
		block_join(p, s, b, w, n);
	else if (!strcmp(w[0], "end"))
		block_end(p, s, b, n);
	else
		parse_step(p, s, w, q, n);
}

/* What the file as a whole must have, once every line is read. */
static void check_whole(struct parser *p, struct scenario *s, const struct blocks *b)
{
	p->line++;
	if (b->depth) {
		p->line = s->steps[b->open[b->depth - 1]].line;
		complain(p, "%s without 'end'", s->steps[b->open[b->depth - 1]].background ?
			 "background" : "repeat");
	}
	p->line = 0;
	if (!s->title)
		complain(p, "no title line");
	if (!s->case_name)
		complain(p, "no case line");
	if (!s->fixture)
		complain(p, "no fixture line");
	if (!s->nsteps)
		complain(p, "no steps");
	if ((p->kinds & KIND_GUEST) && (p->kinds & (KIND_FUSE | KIND_RAW | KIND_NOTIFY)))
		complain(p, "guest steps go through a mount, fuse and raw steps through the "
			 "protocol: a scenario has one or the other");
	if ((p->kinds & KIND_ORACLE) && !(p->kinds & (KIND_FUSE | KIND_RAW)))
		complain(p, "oracle steps judge fuse and raw steps: a scenario with oracle steps "
			 "has some");
	if ((s->nfails_on || s->nby_design) && !s->nwitnesses)
		complain(p, "fails-on and by-design need a witness: mark the step whose failure is the bug "
			 "with 'witness expect ...'");
}

struct scenario *scenario_parse(const char *path, FILE *err)
{
	struct parser p = { .path = path, .err = err };
	struct scenario *s = calloc(1, sizeof(*s));
	FILE *f = fopen(path, "re");
	char *line = NULL, *raw = NULL, *w[STEP_MAX_ARGS + 8];
	unsigned q[STEP_MAX_ARGS + 8];
	struct blocks b = { .depth = 0 };
	size_t cap = 0;
	ssize_t len;

	if (!f || !s) {
		fprintf(err, "%s: cannot open: %s\n", path, strerror(f ? ENOMEM : errno));
		if (f)
			fclose(f);
		free(s);
		return NULL;
	}
	s->path = strdup(path);
	while ((len = getline(&line, &cap, f)) > 0) {
		int n;

		p.line++;
		if (memchr(line, '\0', (size_t)len)) {
			complain(&p, "a NUL byte at column %d: scenario files are text",
				 (int)strlen(line) + 1);
			continue;
		}
		free(raw);
		raw = strdup(line);
		n = split(&p, line, w, q, STEP_MAX_ARGS + 8);
		if (n > 0)
			parse_line(&p, s, &b, w, q, n, raw);
	}
	free(line);
	free(raw);
	fclose(f);
	check_whole(&p, s, &b);
	for (int i = 0; i < p.nvars; i++)
		free(p.vars[i]);
	free(p.vars);
	if (p.errors) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nsteps; i++)
		step_release(&s->steps[i]);
	for (int k = 0; k < s->nserver_args; k++)
		free(s->server_args[k]);
	for (int k = 0; k < s->ninject; k++)
		free(s->inject[k]);
	for (int k = 0; k < s->nby_design; k++)
		free(s->by_design_why[k]);
	free(s->steps);
	free(s->path);
	free(s->name);
	free(s->title);
	free(s->case_name);
	free(s->fixture);
	free(s);
}
