/* array: grows by half again (at least 16), as git's alloc_nr. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/array.h"

int array_grow(void **arr, size_t elem, size_t need, size_t *cap)
{
	size_t n;
	void *p;

	if (need <= *cap)
		return 0;
	n = *cap + *cap / 2 + 16;
	if (n < need || n < *cap)
		n = need;
	if (!elem || n > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}
