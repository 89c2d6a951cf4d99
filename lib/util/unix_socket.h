/*
 * unix_listen: a listening unix socket at a path, the one way every tool
 * makes one (vfs-serve's socket and vhost-user modes, vfs-scenario's VM
 * sockets). A socket file left at the path by a killed process is
 * replaced; anything else there makes bind fail.
 */
#ifndef VFS_UNIX_LISTEN_H
#define VFS_UNIX_LISTEN_H

#include "util/errbuf.h"

/* A socket of @type (SOCK_STREAM, SOCK_SEQPACKET) listening at @path; fd or -errno with @e. */
int unix_listen(const char *path, int type, struct errbuf *e);

#endif
