/*
 * persist: vfs-serve's inodes kept across a restart (--state=FILE) and
 * carried in a migration (vhost-user device state).
 *
 * What survives is what names a file for good: per nodeid, its host file
 * handle (bytes that hold the inode number and its generation, so a file
 * deleted and its inode number reused is another handle), its mount by
 * mount point, and the one generation of the store's nodeids. Restored
 * inodes are retired: the kernel's LOOKUP "." of an old nodeid opens its
 * handle, and finds the file or gets ESTALE, never another file.
 *
 * Nodeids must never name two files, so none may be handed out again
 * after a restart: before a nodeid at or past the limit on disk is
 * replied, a new limit RESERVE further on is appended and fsynced; a
 * restart starts past the limit. Per new inode one record is appended
 * (no fsync: a lost one only makes that nodeid ESTALE after a crash); the
 * file is rewritten whole (write, fsync, rename) at start, at a clean
 * stop and when it has grown past twice what it holds.
 */
#ifndef VFS_PERSIST_H
#define VFS_PERSIST_H

#include "core/passthrough.h"
#include "state/state_image.h"
#include "util/errbuf.h"
#include "util/strbuf.h"

#define PERSIST_RESERVE 4096

/* An fd on the directory of --state @path (before a sandbox), or -errno. */
int persist_open_dir(const char *path);

/*
 * Starts --state NAME in @dirfd (taken): an existing state is restored
 * into @pt's store (root made already), a missing one is created. A state
 * that cannot be read or parsed is refused: @why says which and why.
 */
int persist_start(struct passthrough *pt, int dirfd, const char *name, struct errbuf *why);
/* Rewrites the state whole and closes it (a clean stop). */
void persist_stop(struct passthrough *pt);

/*
 * Records @inode if it is new here and has a handle: 0, or -errno when
 * its nodeid could not be reserved (the caller must not hand it out).
 */
int persist_note(struct passthrough *pt, struct inode *inode);

/*
 * The store as a migration's image: every inode with a handle, the
 * guest's lookups, and a handle made now for each inode the guest holds
 * that has only an O_PATH fd. 0, or -errno with @why (an inode that
 * cannot be named: the migration must not go on without it).
 */
int persist_image(struct passthrough *pt, struct strbuf *out, struct errbuf *why);
/*
 * Restores @img into @pt's store (before any request). Counts in
 * pt->counters; -ESTALE when a LOOKUP record names an inode not restored
 * (its mount is gone: the guest would lose a nodeid it holds).
 */
int persist_restore(struct passthrough *pt, const struct state_image *img);

/* The mount id here of the source's mount @mnt_id in @img, or -1 (gone). */
int persist_mount_of(const struct state_image *img, int mnt_id);

#endif
