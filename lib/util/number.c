/* number: see number.h. */
#include <errno.h>
#include <stdlib.h>

#include "util/number.h"

int number_parse(const char *w, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(w, &end, 0);
	return errno || end == w || *end || w[0] == '-' || *v > max ? -EINVAL : 0;
}
