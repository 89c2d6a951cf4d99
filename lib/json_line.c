/*
 * json_line: names come from the guest and may hold any byte but '/' and
 * NUL, so strings are escaped to stay valid JSON; a line that would not fit
 * is cut and marked with "truncated":true rather than dropped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json_line.h"

#define RESERVE 24 /* room for ,"truncated":true}\n */

static void put(struct json_line *j, const char *s, size_t n)
{
	if (j->truncated || j->len + n > sizeof(j->buf) - RESERVE) {
		j->truncated = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void putf(struct json_line *j, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(j, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void key(struct json_line *j, const char *k)
{
	if (j->len > 1)
		put(j, ",", 1);
	put(j, "\"", 1);
	put(j, k, strlen(k));
	put(j, "\":", 2);
}

void json_begin(struct json_line *j)
{
	j->len = 0;
	j->truncated = false;
	put(j, "{", 1);
}

void json_str(struct json_line *j, const char *k, const char *val)
{
	key(j, k);
	put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = { '\\', (char)*p };
			put(j, e, 2);
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* Non-ASCII bytes need not be UTF-8: escape them all. */
			putf(j, "\\u%04x", *p);
		} else {
			put(j, (const char *)p, 1);
		}
	}
	put(j, "\"", 1);
}

void json_u64(struct json_line *j, const char *k, uint64_t val)
{
	key(j, k);
	putf(j, "%" PRIu64, val);
}

void json_i64(struct json_line *j, const char *k, int64_t val)
{
	key(j, k);
	putf(j, "%" PRId64, val);
}

void json_bool(struct json_line *j, const char *k, bool val)
{
	key(j, k);
	put(j, val ? "true" : "false", val ? 4 : 5);
}

void json_hex(struct json_line *j, const char *k, const void *data, size_t len)
{
	const unsigned char *p = data;

	key(j, k);
	put(j, "\"", 1);
	for (size_t i = 0; i < len; i++)
		putf(j, "%02x", p[i]);
	put(j, "\"", 1);
}

size_t json_end(struct json_line *j)
{
	if (j->truncated) {
		/* put() kept RESERVE bytes free for exactly this. */
		j->truncated = false;
		put(j, ",\"truncated\":true", 17);
	}
	put(j, "}\n", 2);
	return j->len;
}
