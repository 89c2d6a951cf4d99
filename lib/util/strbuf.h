/*
 * strbuf: a growable string, as git has it: buf is never NULL (an empty
 * strbuf points at a shared empty string, so buf can always be printed or
 * compared), and append helpers for a string, a char and bytes spare
 * callers the "%s" format. On allocation failure it stops growing and
 * remembers it, so callers check once at the end.
 *
 * A zeroed struct strbuf is not initialised: use STRBUF_INIT or
 * strbuf_init.
 */
#ifndef VFS_STRBUF_H
#define VFS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;     /* never NULL; NUL-terminated */
	size_t len;
	size_t cap;    /* 0: buf is strbuf_empty, not ours to free or write */
	bool failed;
};

extern char strbuf_empty[];
#define STRBUF_INIT { .buf = strbuf_empty }

void strbuf_init(struct strbuf *sb);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
/* Empties it, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* The string, malloc'd, for the caller to free (NULL on ENOMEM); @sb is empty after. */
char *strbuf_detach(struct strbuf *sb);

#endif
