/*
 * socket_io: vfs-serve's socket mode. FUSE over a unix SOCK_SEQPACKET
 * socket instead of /dev/fuse, through libfuse's fuse_session_custom_io:
 * one request or reply per packet. The peer is a program, not the
 * kernel, so every request is checked (fuse/request_check.h) before
 * libfuse parses it.
 */
#ifndef VFS_SERVE_SOCKET_IO_H
#define VFS_SERVE_SOCKET_IO_H

#include <fuse_lowlevel.h>

#include "util/errbuf.h"

/* A listening socket at @path (created), or -errno. */
int socket_io_listen(const char *path, struct errbuf *e);

/*
 * Waits for one client on @listen_fd (closed then) and makes it @se's
 * channel. 0 or -errno. The session ends when the client hangs up.
 */
int socket_io_attach(struct fuse_session *se, int listen_fd, struct errbuf *e);

#endif
