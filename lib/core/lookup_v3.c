/*
 * lookup_v3: design (b), the v3 patch (lo_find in "virtiofsd: Add
 * inodes_by_handle hash table"): by handle first, then by ids, rejecting
 * an ids hit without an O_PATH fd because its inode number may have been
 * reused. When making the handle fails on a later lookup of a file that
 * already has a handle inode, that inode is rejected and a second one is
 * created: the duplicate inode Vivek Goyal describes in the thread.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "core/lookup_internal.h"

static int lookup(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode = NULL, *hit = NULL;
	struct inode_info hit_info;
	int err = usable_handle(pt, p);

	if (err)
		return err;
	inode_store_lock(pt->store);
	if (p->h)
		inode = inode_store_find_handle_locked(pt->store, p->h);
	if (inode) {
		found_locked(pt, p, inode, true);
	} else {
		hit = inode_store_find_ids_locked(pt->store, p->st.st_dev, p->st.st_ino,
						  p->mnt_id);
		if (hit)
			inode_store_info_locked(pt->store, hit, &hit_info);
		if (hit && !hit_info.has_fd) {
			counter_inc(pt->counters.ids_hits_rejected);
			note_locked(pt, p, "ids_hit_rejected", hit, "no O_PATH fd", 0,
				    USDT_IDS_HIT_REJECTED);
		} else if (hit) {
			inode = hit;
			found_locked(pt, p, inode, false);
		}
	}
	if (inode) {
		inode_store_ref_lookup_locked(pt->store, inode);
	} else {
		inode = create_v3(pt, p);
		/* The rejected ids hit was this very file: now it has two inodes. */
		if (inode && hit && !hit_info.has_fd && hit_info.handle && !inode_handle(inode))
			note_locked(pt, p, NULL, inode, NULL, 0, /* USDT only */
				    USDT_DUPLICATE);
	}
	inode_store_unlock(pt->store);
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

const struct lookup_design lookup_v3 = { lookup };
