/* strvec: grows through array_grow; the terminating NULL always fits. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/strvec.h"

char *strvec_empty[1];

void strvec_init(struct strvec *sv)
{
	*sv = (struct strvec)STRVEC_INIT;
}

static void push_owned(struct strvec *sv, char *s)
{
	char **v = sv->alloc ? sv->v : NULL;

	if (!s || sv->failed || ARRAY_GROW(v, sv->nr + 2, sv->alloc)) {
		free(s);
		sv->failed = true;
		return;
	}
	v[sv->nr++] = s;
	v[sv->nr] = NULL;
	sv->v = v;
}

void strvec_push(struct strvec *sv, const char *s)
{
	push_owned(sv, strdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	push_owned(sv, s);
}

void strvec_split(struct strvec *sv, const char *words)
{
	while (*words) {
		size_t n;

		words += strspn(words, " \t");
		n = strcspn(words, " \t");
		if (n)
			push_owned(sv, strndup(words, n));
		words += n;
	}
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->nr; i++)
		free(sv->v[i]);
	if (sv->alloc)
		free(sv->v);
	strvec_init(sv);
}
