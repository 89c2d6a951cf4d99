/*
 * strvec: a NULL-terminated array of strings it owns, as git's: for
 * command lines built word by word. v is never NULL (an empty strvec
 * points at a shared empty array); a push that finds no memory marks it
 * failed and is dropped, so callers check once at the end.
 */
#ifndef VFS_STRVEC_H
#define VFS_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

struct strvec {
	char **v;      /* v[nr] is NULL */
	size_t nr, alloc;
	bool failed;
};

extern char *strvec_empty[];
#define STRVEC_INIT { .v = strvec_empty }

void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each blank-separated word of @words. */
void strvec_split(struct strvec *sv, const char *words);
void strvec_clear(struct strvec *sv);

#endif
