/*
 * lookup_fixed: design (c), the fix proposed at the end of the thread:
 * identity comes from a lookup-only handle, which fails only where the
 * filesystem has no handles; every other handle failure fails the lookup
 * instead of quietly creating a second inode for the file. A missing
 * mount fd only decides how the inode will be opened, never which inode
 * it is.
 */
#define _GNU_SOURCE
#include <errno.h>

#include "core/lookup_internal.h"

/*
 * An fd inode for the probed file, made while handles failed (say the
 * first lookup on a mount whose handle was refused once): by-ids holds
 * only inodes with an fd here, so a hit is this very file. It gets the
 * handle, rather than the file getting a second inode.
 */
static struct inode *adopt_fd_inode(struct passthrough *pt, struct probe *p)
{
	struct inode *inode = inode_store_find_ids_locked(pt->store, p->st.st_dev,
							  p->st.st_ino, p->mnt_id);

	if (!inode || !inode_store_adopt_handle_locked(pt->store, inode, &p->h))
		return NULL;
	note_locked(pt, p, "handle_adopted", inode, "fd inode of the same file", 0, USDT_NONE);
	return inode;
}

/* The file has a handle: by-handle says which inode it is. */
static int by_handle(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode_info info;
	struct inode *inode;
	bool usable;

	inode = inode_store_find_handle_locked(pt->store, p->h);
	if (!inode)
		inode = adopt_fd_inode(pt, p);
	if (inode)
		inode_store_info_locked(pt->store, inode, &info);
	usable = p->mref.fd >= 0 || (inode && (info.mount_ref || info.has_fd));
	if (p->mfd_err && !usable && pt->cfg.no_mount_fd == NO_MOUNT_FD_FAIL) {
		note_locked(pt, p, "lookup_failed", inode, "no mount fd", p->mfd_err, USDT_NONE);
		return -EIO;
	}
	if (!inode) {
		bool opath = p->mref.fd < 0 && pt->cfg.no_mount_fd == NO_MOUNT_FD_OPATH;

		if (opath)
			fell_back(pt, p, "no mount fd", p->mfd_err, true);
		inode = probe_create_locked(pt, p, true, opath, !opath && p->mref.fd >= 0, opath);
		if (!inode)
			return -ENOMEM;
	} else {
		inode_store_ref_lookup_locked(pt->store, inode);
		found_locked(pt, p, inode, true);
		/* Neither a mount ref nor an fd yet: give it what this lookup has. */
		if (inode_store_give_mount_ref_locked(pt->store, inode, &p->mref)) {
			/* taken */
		} else if (!info.mount_ref && !info.has_fd &&
			   pt->cfg.no_mount_fd == NO_MOUNT_FD_OPATH &&
			   inode_store_give_fd_locked(pt->store, inode, &p->fd, true)) {
			counter_inc(pt->counters.inode_fds);
			fell_back(pt, p, "no mount fd", p->mfd_err, true);
		}
	}
	*out = inode;
	return 0;
}

static int lookup(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode;
	int err = 0;

	probe_handle(pt, p);
	if (p->herr) {
		/*
		 * EOPNOTSUPP from a filesystem that gave handles before is a
		 * transient failure, not a filesystem without handles: falling
		 * back would make a second inode for a file that has one.
		 */
		if (!vfs_handle_unsupported(p->herr) || pt->cfg.handles == HANDLES_MANDATORY ||
		    passthrough_mount_has_handles(pt, p->mnt_id)) {
			note(pt, p, "lookup_failed", NULL, "no handle", p->herr);
			return p->herr;
		}
		fell_back(pt, p, "handles unsupported", p->herr, false);
	} else if (p->h) {
		passthrough_note_handles(pt, p->mnt_id);
	}
	if (p->h)
		probe_mount_fd(pt, p);

	inode_store_lock(pt->store);
	if (p->h) {
		err = by_handle(pt, p, out);
	} else {
		/* Only inodes holding an fd are in by-ids here: a hit is that file. */
		inode = inode_store_find_ids_locked(pt->store, p->st.st_dev, p->st.st_ino,
						    p->mnt_id);
		if (inode) {
			inode_store_ref_lookup_locked(pt->store, inode);
			found_locked(pt, p, inode, false);
		} else {
			inode = probe_create_locked(pt, p, false, true, false, true);
			if (!inode)
				err = -ENOMEM;
		}
		*out = inode;
	}
	inode_store_unlock(pt->store);
	return err;
}

const struct lookup_design lookup_fixed = { lookup };
