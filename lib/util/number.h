/*
 * number: a whole unsigned number from a word a person typed: decimal,
 * 0x hex or 0 octal (strtoull base 0), the whole word, no sign, at most
 * @max. "2x", "", "-1" and past @max are refused, never read as
 * something else.
 */
#ifndef VFS_NUMBER_H
#define VFS_NUMBER_H

/* 0 with *@v, or -EINVAL. */
int number_parse(const char *w, unsigned long long max, unsigned long long *v);

#endif
