/*
 * cache_lock: the kernel's dentry and inode caches are the machine's. A
 * cell whose guest drops them (drop-caches writes /proc/sys/vm/drop_caches)
 * makes every FUSE mount on the host forget its unused dentries, under a
 * cell beside it that counts the inodes its daemon keeps: with --jobs=2,
 * duplicate/thread's witness on v3 once saw 1 inode where its bug makes
 * 2. So a cell on a host mount holds a machine-wide lock shared, and one
 * that drops caches holds it alone. VM cells (their guest's own caches)
 * and protocol cells (no kernel mount) take none.
 */
#ifndef VFS_SCENARIO_CACHE_LOCK_H
#define VFS_SCENARIO_CACHE_LOCK_H

#include <stdbool.h>

#include "scenario/scenario.h"

/* Whether a guest step of @s drops the kernel's caches. */
bool scenario_drops_caches(const struct scenario *s);
/* Takes the lock for a cell of @s (on a host mount if @host_mount): its fd, or -1 (none). */
int cache_lock_take(const struct scenario *s, bool host_mount);
void cache_lock_release(int fd);

#endif
