/*
 * parser: what the parts of the scenario parser share (not for users of
 * scenario.h): the parser's state, the words of a line, variables, and
 * the steps as they are added.
 */
#ifndef VFS_SCENARIO_PARSER_H
#define VFS_SCENARIO_PARSER_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario/scenario.h"

struct parser {
	const char *path;
	FILE *err;
	int line;
	int errors;
	char **vars; /* names defined so far */
	unsigned kinds; /* every step kind seen */
	bool in_background;
	int nvars;
	size_t cap;
};

/* Word flags from split(). */
#define WORD_QUOTED 1u /* "..." */
#define WORD_NOT 2u    /* !"...": the quoted form negated */

void complain(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The words of @line, in place (quotes and comments as scenarios/README.md says); how many, or -1. */
int split(struct parser *p, char *line, char **w, unsigned *flags, int max);
/* Variables: @name set from here on; whether a name is one; $-references checked. */
void define(struct parser *p, const char *name);
bool valid_var_name(const char *s);
void check_vars(struct parser *p, const char *s);
/* "NAME" or "NAME[INDEX]": a capture's target; the base name into @base. */
bool valid_capture(const char *s, char *base, size_t len);
bool word_in(const char *w, const char *const *words);
/* RESULT words (ok, any, ENAME, VALUE, !..., <=N, >=N) into @e; 0 or -1 after complaining. */
int parse_expect(struct parser *p, const char *w, unsigned flags, struct expect *e);

/* [witness [BUG]] [expect|assume RESULT] KIND OP ARGS... [=> NAME]; 0 or -1. */
int parse_step(struct parser *p, struct scenario *s, char **w, unsigned *q, int n);
int add_step(struct parser *p, struct scenario *s, struct step *st);
void step_release(struct step *st);
/* The step that opens background block @name, or -1. */
int background_index(const struct scenario *s, const char *name);

#endif
