/*
 * lookup_ids_only: design (a), the key before the series: (st_dev, st_ino,
 * mnt_id) only, now also for inodes that hold a handle and no fd. Once
 * such a file is unlinked its inode number is free; the next file given
 * that number is found here and served by the old file's inode (inode ID
 * reuse, [1] in Max Reitz's commit message).
 */
#define _GNU_SOURCE
#include <errno.h>

#include "core/lookup_internal.h"

static int lookup(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode;
	int err = usable_handle(pt, p);

	if (err)
		return err;
	inode_store_lock(pt->store);
	inode = inode_store_find_ids_locked(pt->store, p->st.st_dev, p->st.st_ino, p->mnt_id);
	if (inode) {
		inode_store_ref_lookup_locked(pt->store, inode);
		found_locked(pt, p, inode, false);
	} else {
		inode = create_v3(pt, p);
	}
	inode_store_unlock(pt->store);
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

const struct lookup_design lookup_ids_only = { lookup };
