/*
 * control_probe: the server tries, on purpose, what only a bug would make
 * it do, so that a test can see its sandbox hold:
 *   probe escape ROUTE PATH  open PATH, a host path outside the share, by
 *                            ROUTE; the reply says what it read or why not
 *   probe syscall            make a system call no server needs (syslog),
 *                            which a seccomp filter kills or logs
 * Reached only through the control socket (mode 0600, the host's side).
 */
#ifndef VFS_CONTROL_PROBE_H
#define VFS_CONTROL_PROBE_H

#include "core/passthrough.h"
#include "util/strbuf.h"

void control_probe(struct passthrough *pt, char **w, int n, struct strbuf *out);

#endif
