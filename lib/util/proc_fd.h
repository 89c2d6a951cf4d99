/*
 * proc_fd: the file an fd holds, reached through /proc/self/fd: the one
 * way to reopen an O_PATH fd with other flags, or to hand it to calls that
 * take a path only (xattrs, utimensat and fchmodat on what the fd holds).
 * A directory fd on /proc/self/fd names the process that opened it: open
 * it in the process that uses it, after any fork.
 */
#ifndef VFS_PROC_FD_H
#define VFS_PROC_FD_H

#define PROC_FD_NAME_MAX 24 /* "N" */
#define PROC_FD_PATH_MAX 40 /* "/proc/self/fd/N" */

/* /proc/self/fd as an O_PATH directory fd, or -errno. */
int proc_fd_dir_open(void);
/* "N": @fd's name inside that directory, in @buf; returns @buf. */
const char *proc_fd_name(int fd, char buf[PROC_FD_NAME_MAX]);
/*
 * "/proc/self/fd/N" in @buf, or "N" after proc_fd_paths_relative(); returns
 * @buf.
 */
const char *proc_fd_path(int fd, char buf[PROC_FD_PATH_MAX]);
/*
 * The process's working directory is /proc/self/fd from now on (a sandbox
 * without /proc in its root keeps it so): proc_fd_path() gives "N".
 * Call before starting the threads that use the paths.
 */
void proc_fd_paths_relative(void);
/*
 * A new fd on the file @fd holds (not on a name), opened with @flags
 * (O_CLOEXEC is added) through @dir from proc_fd_dir_open(), or through
 * the path when @dir is negative. The fd or -errno.
 */
int proc_fd_reopen(int dir, int fd, int flags);

#endif
