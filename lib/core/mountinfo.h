/*
 * mountinfo: where a mount id is mounted, from /proc/self/mountinfo.
 * This is how the Rust virtiofsd (and the v4 C series) find a mount fd: the
 * mount's root directory is always safe to open, unlike the first inode a
 * guest happens to look up there.
 */
#ifndef VFS_MOUNTINFO_H
#define VFS_MOUNTINFO_H

#include <stddef.h>

/*
 * Writes the mount point of @mnt_id into @path (unescaped). @mountinfo is
 * the file to read, relative to @dirfd (AT_FDCWD, or a sandbox's kept
 * /proc/self/fd with "../mountinfo"); NULL for /proc/self/mountinfo. Paths
 * are as the process sees them: relative to its root. 0, -ENOENT if no
 * such mount, -ENAMETOOLONG, or the open's -errno.
 */
int mountinfo_find(int dirfd, const char *mountinfo, int mnt_id, char *path, size_t len);

/*
 * The device (MAJ:MIN) of the topmost mount at @point whose filesystem
 * type begins with @type ("fuse": fuse, fuse.NAME), from
 * /proc/self/mountinfo: nothing is asked of the mount itself. 0, or
 * -ENOENT if there is none.
 */
int mountinfo_dev_at(const char *point, const char *type, unsigned *major, unsigned *minor);

#endif
