/* agent_wire: percent-encoding, so a value never breaks a line or a word. */
#include <stdio.h>
#include <string.h>

#include "guest/agent_wire.h"

void wire_encode(struct strbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c > 0x20 && c < 0x7f && c != '%')
			strbuf_addch(sb, c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

long wire_decode(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (hex(r[1]) < 0 || hex(r[2]) < 0)
			return -1;
		*w++ = (char)(hex(r[1]) * 16 + hex(r[2]));
		r += 2;
	}
	*w = '\0';
	return w - s;
}

int wire_split(char *line, char **words, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; n < max; p++) {
		words[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	return n;
}
