/*
 * json_line: names come from the guest and may hold any byte but '/' and
 * NUL, so strings are escaped to stay valid JSON. Each field is appended
 * whole or not at all, and a string too long for the line is cut (its
 * quotes kept), so a line is always valid JSON; a cut or dropped field
 * marks the line "truncated":true.
 */
#include <inttypes.h>
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
	char v[sizeof(j->buf)];
	size_t n = 0, max = room(j);

	/* What fits after the key, its quotes and a comma. */
	max = max > strlen(k) + 4 ? max - strlen(k) - 4 : 0;
	if (max < 2) {
		j->truncated = true;
		return;
	}
	v[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)val; *p; p++) {
		char e[8];
		int elen;

		if (*p == '"' || *p == '\\')
			elen = snprintf(e, sizeof(e), "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			elen = snprintf(e, sizeof(e), "\\u%04x", *p); /* bytes need not be UTF-8 */
		else
			elen = snprintf(e, sizeof(e), "%c", *p);
		if (n + (size_t)elen + 1 > max) {
			j->truncated = true;
			break;
		}
		memcpy(v + n, e, (size_t)elen);
		n += (size_t)elen;
	}
	v[n++] = '"';
	field(j, k, v, n);
}

void json_u64(struct json_line *j, const char *k, uint64_t val)
{
	char v[24];

	field(j, k, v, (size_t)snprintf(v, sizeof(v), "%" PRIu64, val));
}

void json_i64(struct json_line *j, const char *k, int64_t val)
{
	char v[24];

	field(j, k, v, (size_t)snprintf(v, sizeof(v), "%" PRId64, val));
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
