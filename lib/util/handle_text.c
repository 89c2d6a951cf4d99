/* handle_text: strict parsing: an odd digit count or a stray byte is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/handle_text.h"

char *handle_text_format_bytes(int type, const unsigned char *bytes, unsigned n,
			       char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%d:", type);

	for (unsigned i = 0; i < n && o + 3 <= len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", bytes[i]);
	return buf;
}

char *handle_text_format(const struct file_handle *fh, char *buf, size_t len)
{
	return handle_text_format_bytes(fh->handle_type, fh->f_handle, fh->handle_bytes, buf, len);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int handle_text_parse(const char *s, union handle_buf *h)
{
	char *p;
	unsigned n = 0;

	h->fh.handle_type = (int)strtol(s, &p, 10);
	if (p == s || *p++ != ':')
		return -EINVAL;
	for (; p[0]; p += 2) {
		int hi = hexval(p[0]), lo = p[1] ? hexval(p[1]) : -1;

		if (hi < 0 || lo < 0 || n == MAX_HANDLE_SZ)
			return -EINVAL;
		h->fh.f_handle[n++] = (unsigned char)(hi * 16 + lo);
	}
	h->fh.handle_bytes = n;
	return 0;
}
