/*
 * step: a step's words, made from a format (blank-separated, a word in
 * "..." may hold blanks), copied, freed and written as a scenario line
 * with the scenario language's quoting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/array.h"

const char *fstep_kind_name(enum fstep_kind k)
{
	return k == FSTEP_RAW ? "raw" : k == FSTEP_HOST ? "host" : "fuse";
}

/* Splits @line into words: blanks apart, a "..." word whole (no escapes: the generator's own). */
static int split(struct fstep *st, char *line)
{
	char *p = line;

	while (*p) {
		char *start, *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (st->argc == FSTEP_MAX_WORDS)
			return -E2BIG;
		if (*p == '\x1f') { /* a word that may hold blanks, up to the next \x1f */
			start = ++p;
			end = strchr(p, '\x1f');
			if (!end)
				return -EINVAL;
			p = end + 1;
		} else {
			start = p;
			end = p + strcspn(p, " ");
			p = end;
		}
		st->argv[st->argc] = strndup(start, (size_t)(end - start));
		if (!st->argv[st->argc])
			return -ENOMEM;
		st->argc++;
	}
	return st->argc ? 0 : -EINVAL;
}

int fstep_make(struct fstep *st, enum fstep_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *line;
	int r;

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->capture = -1;
	va_start(ap, fmt);
	r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = split(st, line);
	free(line);
	if (r)
		fstep_free(st);
	return r;
}

int fstep_copy(struct fstep *dst, const struct fstep *src)
{
	*dst = *src;
	for (int i = 0; i < src->argc; i++)
		dst->argv[i] = NULL;
	for (int i = 0; i < src->argc; i++)
		if (!(dst->argv[i] = strdup(src->argv[i]))) {
			fstep_free(dst);
			return -ENOMEM;
		}
	return 0;
}

void fstep_free(struct fstep *st)
{
	for (int i = 0; i < st->argc; i++)
		free(st->argv[i]);
	st->argc = 0;
}

/* A word as the scenario language reads it back: bare, or quoted with \" \\ \n. */
static void word(struct strbuf *out, const char *w)
{
	bool bare = *w && !strpbrk(w, " \t\"\\#\n'");

	if (bare) {
		strbuf_addstr(out, w);
		return;
	}
	strbuf_addch(out, '"');
	for (; *w; w++) {
		if (*w == '"' || *w == '\\')
			strbuf_addch(out, '\\');
		if (*w == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, *w);
	}
	strbuf_addch(out, '"');
}

void fstep_line(const struct fstep *st, struct strbuf *out)
{
	strbuf_addf(out, "expect any %s", fstep_kind_name(st->kind));
	for (int i = 0; i < st->argc; i++) {
		strbuf_addch(out, ' ');
		word(out, st->argv[i]);
	}
	if (st->capture >= 0)
		strbuf_addf(out, " => %c%d", st->capture_kind, st->capture);
}

int seq_push(struct seq *s, struct fstep *st)
{
	if (ARRAY_GROW(s->v, s->nr + 1, s->cap)) {
		fstep_free(st);
		return -ENOMEM;
	}
	s->v[s->nr++] = *st;
	st->argc = 0;
	return 0;
}

void seq_free(struct seq *s)
{
	for (size_t i = 0; i < s->nr; i++)
		fstep_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int vars_set(struct vars *vs, int k, const char *value)
{
	char *copy;

	if (k < 0)
		return 0;
	if ((size_t)k >= vs->cap) {
		size_t cap = vs->cap;
		void *p = vs->v;

		if (array_grow(&p, sizeof(char *), (size_t)k + 1, &cap))
			return -ENOMEM;
		vs->v = p;
		memset(vs->v + vs->cap, 0, (cap - vs->cap) * sizeof(char *));
		vs->cap = cap;
	}
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(vs->v[k]);
	vs->v[k] = copy;
	return 0;
}

const char *vars_get(const struct vars *vs, int k)
{
	return k >= 0 && (size_t)k < vs->cap && vs->v[k] ? vs->v[k] : "";
}

void vars_free(struct vars *vs)
{
	for (size_t i = 0; i < vs->cap; i++)
		free(vs->v[i]);
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

const char *vars_expand(const struct vars *vs, const char *w, char *buf, size_t len)
{
	const char *v;
	char *end;
	long k;

	if (strncmp(w, "${", 2) || (w[2] != 'n' && w[2] != 'h'))
		return w;
	k = strtol(w + 3, &end, 10);
	if (strcmp(end, ":-0}"))
		return w;
	v = vars_get(vs, (int)k);
	snprintf(buf, len, "%s", *v ? v : "0");
	return buf;
}
