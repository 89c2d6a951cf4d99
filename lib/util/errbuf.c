/* errbuf: a NULL errbuf is allowed, for callers that only want the errno. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/errbuf.h"

int errbuf_set(struct errbuf *e, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e)
		return err;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (err < 0 && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(-err));
	return err;
}
