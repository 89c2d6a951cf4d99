/*
 * parse_words: the words of a scenario line: splitting (quotes,
 * comments), variables set and used, and RESULT words.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/parser.h"
#include "util/array.h"
#include "util/errno_name.h"

void complain(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->line)
		fprintf(p->err, "%s:%d: ", p->path, p->line);
	else
		fprintf(p->err, "%s: ", p->path);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	p->errors++;
}

/*
 * Splits @line into words; "..." quotes (with \" \\ \n) make one word,
 * # outside quotes starts a comment. @flags[i] says word i was quoted
 * (WORD_QUOTED), and was written !"..." (WORD_NOT: the '!' is not part of
 * the word).
 */
int split(struct parser *p, char *line, char **w, unsigned *flags, int max)
{
	int n = 0;
	char *r = line, *o;

	for (;;) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			complain(p, "too many words (at most %d)", max);
			return -1;
		}
		flags[n] = 0;
		if (r[0] == '!' && r[1] == '"') {
			flags[n] = WORD_NOT;
			r++;
		}
		if (*r == '"')
			flags[n] |= WORD_QUOTED;
		w[n] = o = r;
		if (flags[n] & WORD_QUOTED) {
			for (r++; *r && *r != '"'; r++) {
				if (*r == '\\' && r[1]) {
					r++;
					*o++ = *r == 'n' ? '\n' : *r;
				} else {
					*o++ = *r;
				}
			}
			if (*r != '"') {
				complain(p, "unterminated quoted string");
				return -1;
			}
			r++;
			if (*r && !isspace((unsigned char)*r)) {
				complain(p, "a quoted string must be followed by a blank");
				return -1;
			}
		} else {
			while (*r && !isspace((unsigned char)*r))
				*o++ = *r++;
		}
		/* o never passes r: each word is rewritten in place. */
		if (*r)
			r++;
		*o = '\0';
		n++;
	}
}

static bool var_defined(struct parser *p, const char *name, size_t len)
{
	for (int i = 0; i < p->nvars; i++)
		if (strlen(p->vars[i]) == len && !strncmp(p->vars[i], name, len))
			return true;
	return false;
}

void define(struct parser *p, const char *name)
{
	char *copy;

	if (var_defined(p, name, strlen(name)))
		return;
	if (ARRAY_GROW(p->vars, (size_t)p->nvars + 1, p->cap)) {
		complain(p, "out of memory for variable '%s'", name);
		return;
	}
	copy = strdup(name);
	if (!copy) {
		complain(p, "out of memory for variable '%s'", name);
		return;
	}
	p->vars[p->nvars++] = copy;
}

bool valid_var_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * Every $NAME, ${NAME}, $NAME[INDEX] and ${NAME[INDEX]} in @s must name a
 * variable set already (for an indexed one: any element of NAME); the
 * INDEX is checked the same way.
 */
void check_vars(struct parser *p, const char *s)
{
	for (const char *d = strchr(s, '$'); d; d = strchr(d + 1, '$')) {
		const char *name = d + 1, *end, *close;
		bool braced = *name == '{';

		if (braced)
			name++;
		for (end = name; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		if (end == name) {
			complain(p, "'$' without a variable name in '%s'", s);
			return;
		}
		if (!var_defined(p, name, (size_t)(end - name)))
			complain(p, "variable '%.*s' is used before it is set", (int)(end - name), name);
		close = end;
		if (*end == '[') {
			close = strchr(end, ']');
			if (!close) {
				complain(p, "unterminated [ in '%s'", s);
				return;
			}
			close++;
		}
		if (braced && close[0] == ':' && close[1] == '-') {
			/* ${NAME:-WORD}: WORD's own variables are checked as the loop goes on */
			int depth = 0;

			for (close += 2; *close && (*close != '}' || depth); close++)
				depth += *close == '{' ? 1 : *close == '}' ? -1 : 0;
		}
		if (braced && *close != '}') {
			complain(p, "unterminated ${ in '%s'", s);
			return;
		}
	}
}

/* "NAME" or "NAME[INDEX]": a capture's target; the base name into @base. */
bool valid_capture(const char *s, char *base, size_t len)
{
	size_t n = strcspn(s, "[");

	if (n >= len)
		return false;
	snprintf(base, len, "%.*s", (int)n, s);
	if (!valid_var_name(base))
		return false;
	return !s[n] || (s[strlen(s) - 1] == ']' && strlen(s) > n + 2);
}

bool word_in(const char *w, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(w, *words))
			return true;
	return false;
}

static bool looks_like_errno(const char *w)
{
	if (w[0] != 'E' || !w[1])
		return false;
	for (const char *c = w + 1; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return false;
	return true;
}

int parse_expect(struct parser *p, const char *w, unsigned flags, struct expect *e)
{
	bool quoted = flags & WORD_QUOTED;

	memset(e, 0, sizeof(*e));
	if (flags & WORD_NOT) {
		e->negate = true;
	} else if (!quoted && w[0] == '!') {
		e->negate = true;
		w++;
	}
	if (!quoted && !strcmp(w, "ok")) {
		e->type = EXPECT_OK;
	} else if (!quoted && !strcmp(w, "any")) {
		e->type = EXPECT_ANY;
	} else if (!quoted && (!strncmp(w, "<=", 2) || !strncmp(w, ">=", 2))) {
		e->type = w[0] == '<' ? EXPECT_AT_MOST : EXPECT_AT_LEAST;
		e->value = strdup(w + 2);
		if (!e->value || (!strchr(w + 2, '$') && !whole_number(w + 2, 0, LONG_MAX))) {
			complain(p, "'%s': a comparison wants a whole number (<=N or >=N)", w);
			free(e->value);
			e->value = NULL;
			return -1;
		}
		check_vars(p, w + 2);
	} else if (!quoted && looks_like_errno(w)) {
		e->type = EXPECT_ERRNO;
		if (errno_parse(w, &e->err)) {
			complain(p, "unknown errno name '%s'", w);
			return -1;
		}
	} else {
		e->type = EXPECT_VALUE;
		e->value = strdup(w);
		if (!e->value) {
			complain(p, "out of memory");
			return -1;
		}
		check_vars(p, w);
	}
	/* "!ok" is a failure, whatever errno; "!any" would be nothing at all. */
	if (e->negate && e->type == EXPECT_ANY) {
		complain(p, "'!%s' can never hold", w);
		free(e->value);
		e->value = NULL;
		return -1;
	}
	return 0;
}


