/*
 * errno_name: errno values to their symbolic names and back.
 *
 * Logs, control replies and fault specs speak "ESTALE", not 116, so that a
 * reader never needs errno(3) open beside them.
 */
#ifndef VFS_ERRNO_NAME_H
#define VFS_ERRNO_NAME_H

/* Name of errno @err (positive), or NULL if unknown. */
const char *errno_name(int err);

/* Parse "ESTALE" or a decimal number into a positive errno; 0 or -EINVAL. */
int errno_parse(const char *s, int *err);

#endif
