/*
 * control_client: the client side of vfs-serve's control protocol, for
 * the tools that drive a running server (tests, vfs-inject, scenarios).
 */
#ifndef VFS_CONTROL_CLIENT_H
#define VFS_CONTROL_CLIENT_H

#include "util/strbuf.h"

/* Connects to the socket at @path; the fd, or -errno. */
int control_connect(const char *path);

/*
 * Sends @cmd and appends the whole reply (data lines and the status line)
 * to @out. 0 if the status line says "ok", 1 if it says "err", -errno if
 * the connection failed or timed out.
 */
int control_request(int fd, const char *cmd, struct strbuf *out);

#endif
