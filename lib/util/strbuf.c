/* strbuf: vsnprintf twice at most: once to measure, once after growing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/strbuf.h"

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->failed)
		return;
	for (int pass = 0; pass < 2; pass++) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->buf ? sb->buf + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->failed = true;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap : 256;
		while (cap < sb->len + (size_t)n + 1)
			cap *= 2;
		char *b = realloc(sb->buf, cap);
		if (!b) {
			sb->failed = true;
			return;
		}
		sb->buf = b;
		sb->cap = cap;
	}
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->failed = false;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf)STRBUF_INIT;
}
