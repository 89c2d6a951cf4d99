/*
 * state_file: a state image on disk, kept crash-safe the usual way: a
 * new image is written beside the old one (NAME.tmp), fsynced, renamed
 * over it and the directory fsynced, so a crash at any point leaves the
 * old image or the new one; between rewrites, records are appended. All
 * calls are relative to a directory fd opened before any sandbox.
 */
#ifndef VFS_STATE_FILE_H
#define VFS_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

#define STATE_FILE_MAX (256u << 20) /* far more than retired_max inodes take */

/* Reads NAME into @out: 0, -ENOENT (no state yet), -EFBIG or -errno. */
int state_file_read(int dirfd, const char *name, struct strbuf *out);
/* Replaces NAME with @len bytes, crash-safely; 0 or -errno. */
int state_file_replace(int dirfd, const char *name, const void *buf, size_t len);
/* An fd appending to NAME, or -errno. */
int state_file_open_append(int dirfd, const char *name);
/* Appends all of @buf, on the disk when it returns if @sync: 0 or -errno. */
int state_file_append(int fd, const void *buf, size_t len, bool sync);

#endif
