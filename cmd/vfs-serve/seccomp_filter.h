/*
 * seccomp_filter: the system calls vfs-serve makes once it serves, as an
 * allow-list (libseccomp); any other is killed (the whole process, as the
 * Rust virtiofsd's default), logged to the kernel log and let through, or
 * not filtered (--seccomp=kill|log|none). Installed on every thread.
 */
#ifndef VFS_SERVE_SECCOMP_FILTER_H
#define VFS_SERVE_SECCOMP_FILTER_H

#include <stdbool.h>

#include "util/errbuf.h"

enum seccomp_action { SECCOMP_ACTION_NONE, SECCOMP_ACTION_KILL, SECCOMP_ACTION_LOG };

const char *seccomp_action_name(enum seccomp_action a);
int seccomp_action_parse(const char *s, enum seccomp_action *a);

/*
 * @unmounts: the server takes its own FUSE mount down at the end (no
 * sandbox's parent does it), so umount2 is allowed. 0 or -errno with @why set.
 */
int seccomp_filter_install(enum seccomp_action a, bool unmounts, struct errbuf *why);

#endif
