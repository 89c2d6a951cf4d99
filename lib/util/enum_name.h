/*
 * enum_name: the one idiom for the words of an enum (designs, policies,
 * fault points, mount fd sources): a NULL-terminated table indexed by the
 * enum's value, read both ways.
 */
#ifndef VFS_ENUM_NAME_H
#define VFS_ENUM_NAME_H

/* @names[@value], or "?" when @value is not in the table. */
const char *enum_name(const char *const *names, int value);
/* The value whose word is @word, into *@value. 0 or -EINVAL. */
int enum_parse(const char *const *names, const char *word, int *value);

#endif
