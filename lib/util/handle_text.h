/*
 * handle_text: a file handle as text, "TYPE:HEX" (handle type in decimal,
 * handle bytes in hex), the form the control protocol, the scenario
 * language and the test helpers all print and read.
 */
#ifndef VFS_HANDLE_TEXT_H
#define VFS_HANDLE_TEXT_H

/* struct file_handle needs _GNU_SOURCE before the first system header. */
#include <fcntl.h>
#include <stddef.h>

/* Room for "TYPE:HEX" of the largest handle, with its NUL. */
#define HANDLE_TEXT_MAX (2 * MAX_HANDLE_SZ + 16)

/* A struct file_handle with room for the largest handle. */
union handle_buf {
	struct file_handle fh;
	char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* Writes "TYPE:HEX" of a handle's type and bytes into @buf; returns @buf. */
char *handle_text_format_bytes(int type, const unsigned char *bytes, unsigned n,
			       char *buf, size_t len);
/* Writes "TYPE:HEX" of @fh into @buf; returns @buf. */
char *handle_text_format(const struct file_handle *fh, char *buf, size_t len);
/* Parses "TYPE:HEX" into @h. 0 or -EINVAL. */
int handle_text_parse(const char *s, union handle_buf *h);

#endif
