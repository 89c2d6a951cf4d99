/*
 * unix_socket: unix sockets at a path, the one way every tool makes and
 * reaches them (vfs-serve's socket and vhost-user modes, the control
 * socket's clients, vfs-scenario's VM sockets, the FUSE client's
 * targets). A socket file left at the path by a killed process is
 * replaced on listen; anything else there makes bind fail.
 */
#ifndef VFS_UNIX_SOCKET_H
#define VFS_UNIX_SOCKET_H

#include "util/errbuf.h"

/* A socket of @type (SOCK_STREAM, SOCK_SEQPACKET) listening at @path; fd or -errno with @e. */
int unix_listen(const char *path, int type, struct errbuf *e);
/* A socket of @type connected to @path; fd or -errno (-ENAMETOOLONG for a path too long). */
int unix_connect(const char *path, int type);

#endif
