/*
 * strbuf: a growable string, for replies whose size is not known up front
 * (a store dump of every inode). On allocation failure it stops growing
 * and remembers it, so callers check once at the end.
 */
#ifndef VFS_STRBUF_H
#define VFS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

#define STRBUF_INIT { 0 }

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

#endif
