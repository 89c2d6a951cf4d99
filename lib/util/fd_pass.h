/*
 * fd_pass: one fd over a unix socket (SCM_RIGHTS), with one byte of data:
 * how vfs-inject's target hands its seccomp listener to the supervisor,
 * and how vhost-user hands memory and eventfds to a back-end.
 */
#ifndef VFS_FD_PASS_H
#define VFS_FD_PASS_H

/* 0 or -errno. */
int fd_pass_send(int sock, int fd);
/* The fd received, or -errno (-EIO when the message held none). */
int fd_pass_recv(int sock);

#endif
