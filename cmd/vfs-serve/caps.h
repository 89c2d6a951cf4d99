/*
 * caps: the capabilities a sandboxed vfs-serve keeps. Serving a guest as
 * its users needs the file-ownership ones (chown, dac_override, fowner,
 * fsetid, setgid, setuid, mknod, setfcap, as the Rust virtiofsd keeps);
 * dac_read_search only for file handles or fanotify's events, sys_admin
 * only for fanotify-fs's filesystem marks. Everything else goes, from the
 * bounding set too, so nothing the process runs can get it back.
 */
#ifndef VFS_SERVE_CAPS_H
#define VFS_SERVE_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/errbuf.h"

/* The set to keep: bit N is capability N. */
uint64_t caps_needed(bool handles, bool fanotify, bool fanotify_fs);
/* Their names, comma-separated, lower case without "cap_", on @f. */
void caps_print(FILE *f, uint64_t keep, const char *sep, const char *quote);
/* Drops all but @keep from every set; 0 or -errno with @why set. */
int caps_drop_except(uint64_t keep, struct errbuf *why);

#endif
