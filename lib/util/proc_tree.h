/*
 * proc_tree: which process serves, when the one started is not it. The C
 * virtiofsd forks its serving child after the front-end connects, and the
 * Rust virtiofsd with --sandbox=namespace forks one into a new pid
 * namespace; the parent only waits. fds, RSS and "does it still hold
 * this file" must be read from the child.
 */
#ifndef VFS_PROC_TREE_H
#define VFS_PROC_TREE_H

#include <sys/types.h>

/*
 * The process that serves, of @pid and its descendants: the deepest one
 * holding /dev/fuse or a unix socket (a parent that waits may hold them
 * too; the one it forked to serve is below it). @pid when none of them
 * does or @pid is gone; -errno when /proc cannot be read.
 */
pid_t proc_tree_server(pid_t pid);

/* How many fds @pid holds now: 0 or more, or -errno when /proc cannot say. */
long proc_fd_count(pid_t pid);

#endif
