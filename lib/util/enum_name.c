/* enum_name: tables end with NULL, so neither side needs their length. */
#include <errno.h>
#include <string.h>

#include "util/enum_name.h"

const char *enum_name(const char *const *names, int value)
{
	for (int i = 0; names[i]; i++)
		if (i == value)
			return names[i];
	return "?";
}

int enum_parse(const char *const *names, const char *word, int *value)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], word)) {
			*value = i;
			return 0;
		}
	return -EINVAL;
}
