/*
 * json_line: names come from the guest and may hold any byte but '/' and
 * NUL, so strings are escaped to stay valid JSON. Each field is appended
 * whole or not at all, and a string too long for the line is cut (its
 * quotes kept), so a line is always valid JSON; a cut or dropped field
 * marks the line "truncated":true.
 */
#include <stdio.h>
#include <string.h>

#include "util/json_line.h"

#define RESERVE 24 /* room for ,"truncated":true}\n */

static size_t room(const struct json_line *j)
{
	size_t limit = sizeof(j->buf) - RESERVE;

	return j->len < limit ? limit - j->len : 0;
}

/* Appends ,"key": and @val (already JSON) as one piece, or drops both. */
static void field(struct json_line *j, const char *k, const char *val, size_t vlen)
{
	size_t klen = strlen(k), need = (j->len > 1) + klen + 3 + vlen;
	char *p;

	if (need > room(j)) {
		j->truncated = true;
		return;
	}
	p = j->buf + j->len;
	if (j->len > 1)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, k, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	memcpy(p, val, vlen);
	j->len += need;
}

void json_begin(struct json_line *j)
{
	j->buf[0] = '{';
	j->len = 1;
	j->truncated = false;
}

void json_str(struct json_line *j, const char *k, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	char v[sizeof(j->buf)];
	size_t n = 0, max = room(j);

	/* What fits after the key, its quotes and a comma. */
	max = max > strlen(k) + 4 ? max - strlen(k) - 4 : 0;
	if (max < 2) {
		j->truncated = true;
		return;
	}
	v[n++] = '"';
	/* The hot path of vfs-trace -j: bytes copied as they are, no printf. */
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		char e[6];
		size_t elen = 1;

		e[0] = (char)*p;
		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			elen = 2;
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* bytes need not be UTF-8 */
			memcpy(e, "\\u00", 4);
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			elen = 6;
		}
		if (n + elen + 1 > max) {
			j->truncated = true;
			break;
		}
		memcpy(v + n, e, elen);
		n += elen;
	}
	v[n++] = '"';
	field(j, k, v, n);
}

/* Decimal digits of @val into the end of @v (24 bytes); returns the start. */
static char *digits(uint64_t val, char *v)
{
	char *p = v + 24;

	do
		*--p = (char)('0' + val % 10);
	while (val /= 10);
	return p;
}

void json_u64(struct json_line *j, const char *k, uint64_t val)
{
	char v[24], *p = digits(val, v);

	field(j, k, p, (size_t)(v + 24 - p));
}

void json_i64(struct json_line *j, const char *k, int64_t val)
{
	char v[25], *p = digits(val < 0 ? (uint64_t)0 - (uint64_t)val : (uint64_t)val, v + 1);

	if (val < 0)
		*--p = '-';
	field(j, k, p, (size_t)(v + 25 - p));
}

void json_bool(struct json_line *j, const char *k, bool val)
{
	field(j, k, val ? "true" : "false", val ? 4 : 5);
}

void json_null(struct json_line *j, const char *k)
{
	field(j, k, "null", 4);
}

void json_hex(struct json_line *j, const char *k, const void *data, size_t len)
{
	char v[sizeof(j->buf)];
	const unsigned char *p = data;
	size_t n = 0;

	v[n++] = '"';
	for (size_t i = 0; i < len && n + 3 < sizeof(v); i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%02x", p[i]);
	v[n++] = '"';
	field(j, k, v, n);
}

size_t json_end(struct json_line *j)
{
	/* RESERVE bytes were kept free for exactly this. */
	if (j->truncated) {
		memcpy(j->buf + j->len, j->len > 1 ? ",\"truncated\":true" : "\"truncated\":true",
		       j->len > 1 ? 17 : 16);
		j->len += j->len > 1 ? 17 : 16;
	}
	memcpy(j->buf + j->len, "}\n", 2);
	j->len += 2;
	return j->len;
}
