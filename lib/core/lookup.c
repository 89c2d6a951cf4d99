/*
 * lookup: every lookup first opens the name O_PATH|O_NOFOLLOW and then
 * takes the ids and the handle from that one fd, so the stat and the handle
 * always describe the same file even while the host renames underneath.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "core/lookup.h"
#include "obs/usdt.h"
#include "util/handle_text.h"

/* What one lookup learned about the file, before the store is consulted. */
struct probe {
	int fd;                 /* O_PATH fd on the file; -1 once given away */
	struct stat st;
	int mnt_id;
	struct vfs_handle *h;   /* NULL: no handle */
	int herr;               /* why there is no handle */
	int mfd;                /* mount fd reference taken, or -1 */
	int mfd_err;
	uint64_t parent;
	const char *name;
};

static void log_event(struct passthrough *pt, const char *event,
		      const struct probe *p, const struct inode *inode,
		      const char *reason, int err)
{
	struct json_line j;
	char hex[HANDLE_TEXT_MAX];

	if (!decision_log_on(&pt->log))
		return;
	decision_log_begin(&j, event);
	json_str(&j, "design", design_name(pt->cfg.design));
	if (p) {
		json_u64(&j, "parent", p->parent);
		json_str(&j, "name", p->name);
		json_u64(&j, "dev", p->st.st_dev);
		json_u64(&j, "ino", p->st.st_ino);
		json_i64(&j, "mnt_id", p->mnt_id);
		if (p->h)
			json_str(&j, "handle", vfs_handle_format(p->h, hex, sizeof(hex)));
	}
	if (inode) {
		json_u64(&j, "nodeid", inode->nodeid);
		json_bool(&j, "has_fd", inode->fd >= 0);
		json_bool(&j, "has_handle", inode->handle != NULL);
		json_u64(&j, "nlookup", inode->nlookup);
	}
	if (reason)
		json_str(&j, "reason", reason);
	if (err) {
		const char *n = errno_name(-err);

		json_str(&j, "errno", n ? n : "unknown");
	}
	decision_log_emit(&pt->log, &j);
}

static void stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = (off_t)x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = (blkcnt_t)x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

static int stat_fd(int fd, struct stat *st, int *mnt_id)
{
	struct statx x;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		  STATX_BASIC_STATS | STATX_MNT_ID, &x) < 0)
		return -errno;
	stat_from_statx(st, &x);
	if (mnt_id)
		*mnt_id = (int)x.stx_mnt_id;
	return 0;
}

int passthrough_stat(struct passthrough *pt, struct inode *inode, struct stat *st)
{
	bool tmp;
	int fd = inode_path_fd(pt, inode, &tmp), err;

	if (fd < 0)
		return fd;
	err = stat_fd(fd, st, NULL);
	inode_path_fd_done(fd, tmp);
	return err;
}

static void probe_free(struct passthrough *pt, struct probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->mfd >= 0)
		mount_fds_put(&pt->mount_fds, p->mnt_id);
	vfs_handle_free(p->h);
	p->fd = p->mfd = -1;
	p->h = NULL;
}

/* The handle of the probed file, lookup-only: no mount fd is involved. */
static void probe_handle(struct passthrough *pt, struct probe *p)
{
	if (pt->cfg.handles == HANDLES_NEVER)
		return;
	p->herr = vfs_handle_make(&pt->faults, p->fd, "", AT_EMPTY_PATH, &p->h);
	if (p->herr) {
		VFS_PROBE(handle_failed, p->st.st_ino, -p->herr);
		counters_handle_failure(&pt->counters, p->herr);
		log_event(pt, "handle_failed", p, NULL, "name_to_handle_at", p->herr);
	}
}

/* A mount fd reference for the probed file's mount (makes the handle usable). */
static void probe_mount_fd(struct passthrough *pt, struct probe *p)
{
	p->mfd_err = mount_fds_get(&pt->mount_fds, p->mnt_id, p->fd,
				   p->st.st_mode, &p->mfd);
	if (p->mfd_err)
		p->mfd = -1;
}

/* Hands the probe's O_PATH fd to @inode. */
static void give_fd(struct passthrough *pt, struct probe *p, struct inode *inode)
{
	inode->fd = p->fd;
	p->fd = -1;
	counter_inc(pt->counters.inode_fds);
}

/* Hands the probe's mount fd reference to @inode. */
static void give_mount_ref(struct probe *p, struct inode *inode)
{
	inode->mount_ref = true;
	inode->mount_fd = p->mfd;
	p->mfd = -1;
}

static struct inode *new_inode(struct passthrough *pt, struct probe *p)
{
	struct inode *inode = inode_new(&pt->store);

	if (!inode)
		return NULL;
	inode->dev = p->st.st_dev;
	inode->ino = p->st.st_ino;
	inode->mnt_id = p->mnt_id;
	inode->mode = p->st.st_mode & S_IFMT;
	inode->nlookup = 1;
	return inode;
}

static void created(struct passthrough *pt, struct probe *p, struct inode *inode)
{
	counter_inc(pt->counters.inodes_created);
	log_event(pt, "inode_created", p, inode, NULL, 0);
}

static void found(struct passthrough *pt, struct probe *p, struct inode *inode,
		  bool by_handle)
{
	if (by_handle)
		counter_inc(pt->counters.found_by_handle);
	else
		counter_inc(pt->counters.found_by_ids);
	log_event(pt, by_handle ? "found_by_handle" : "found_by_ids", p, inode, NULL, 0);
}

static void fell_back(struct passthrough *pt, struct probe *p, const char *why, int err)
{
	VFS_PROBE(fallback_opath, p->st.st_ino, -err);
	counter_inc(pt->counters.fallbacks_opath);
	log_event(pt, "fallback_opath", p, NULL, why, err);
}

/*
 * An fd inode for the probed file, made while handles failed (say the
 * first lookup on a mount whose handle was refused once): by-ids holds
 * only inodes with an fd here, so a hit is this very file. It gets the
 * handle, rather than the file getting a second inode.
 */
static struct inode *adopt_fd_inode(struct passthrough *pt, struct probe *p)
{
	struct inode *inode = inode_store_find_ids_locked(&pt->store, p->st.st_dev,
							  p->st.st_ino, p->mnt_id);

	if (!inode || inode->handle || inode->fd < 0)
		return NULL;
	inode_store_set_handle_locked(&pt->store, inode, p->h);
	p->h = NULL;
	log_event(pt, "handle_adopted", p, inode, "fd inode of the same file", 0);
	return inode;
}

/*
 * Design (c), the fix proposed at the end of the thread: identity comes
 * from a lookup-only handle, which fails only where the filesystem has no
 * handles; every other handle failure fails the lookup instead of quietly
 * creating a second inode for the file. A missing mount fd only decides
 * how the inode will be opened, never which inode it is.
 */
static int lookup_fixed(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode;

	probe_handle(pt, p);
	if (p->herr) {
		/*
		 * EOPNOTSUPP from a filesystem that gave handles before is a
		 * transient failure, not a filesystem without handles: falling
		 * back would make a second inode for a file that has one.
		 */
		if (!vfs_handle_unsupported(p->herr) || pt->cfg.handles == HANDLES_MANDATORY ||
		    passthrough_mount_has_handles(pt, p->mnt_id)) {
			log_event(pt, "lookup_failed", p, NULL, "no handle", p->herr);
			return p->herr;
		}
		fell_back(pt, p, "handles unsupported", p->herr);
	} else if (p->h) {
		passthrough_note_handles(pt, p->mnt_id);
	}
	if (p->h)
		probe_mount_fd(pt, p);

	inode_store_lock(&pt->store);
	if (p->h) {
		bool is_new = false, usable;

		inode = inode_store_find_handle_locked(&pt->store, p->h);
		if (!inode)
			inode = adopt_fd_inode(pt, p);
		usable = p->mfd >= 0 || (inode && (inode->mount_ref || inode->fd >= 0));

		if (p->mfd_err && !usable && pt->cfg.no_mount_fd == NO_MOUNT_FD_FAIL) {
			inode_store_unlock(&pt->store);
			log_event(pt, "lookup_failed", p, inode, "no mount fd", p->mfd_err);
			return -EIO;
		}
		if (!inode) {
			inode = new_inode(pt, p);
			if (!inode)
				goto nomem;
			inode->handle = p->h;
			p->h = NULL;
			is_new = true;
		} else {
			inode_store_ref_lookup_locked(&pt->store, inode);
			found(pt, p, inode, true);
		}
		if (!inode->mount_ref && inode->fd < 0) {
			if (p->mfd >= 0) {
				give_mount_ref(p, inode);
			} else if (pt->cfg.no_mount_fd == NO_MOUNT_FD_OPATH) {
				give_fd(pt, p, inode);
				inode_store_add_ids_locked(&pt->store, inode);
				fell_back(pt, p, "no mount fd", p->mfd_err);
			}
		}
		if (is_new) {
			inode_store_add_locked(&pt->store, inode, inode->fd >= 0);
			created(pt, p, inode);
		}
	} else {
		/* Only inodes holding an fd are in by-ids here: a hit is that file. */
		inode = inode_store_find_ids_locked(&pt->store, p->st.st_dev,
						    p->st.st_ino, p->mnt_id);
		if (inode) {
			inode_store_ref_lookup_locked(&pt->store, inode);
			found(pt, p, inode, false);
		} else {
			inode = new_inode(pt, p);
			if (!inode)
				goto nomem;
			give_fd(pt, p, inode);
			inode_store_add_locked(&pt->store, inode, true);
			created(pt, p, inode);
		}
	}
	inode_store_unlock(&pt->store);
	*out = inode;
	return 0;
nomem:
	inode_store_unlock(&pt->store);
	return -ENOMEM;
}

/*
 * The handle of designs (a) and (b) is the *usable* kind: made together
 * with a mount fd. Any failure of either means "no handle" and an O_PATH
 * fd instead, which is what lets one file get two inodes in (b).
 */
static int usable_handle(struct passthrough *pt, struct probe *p)
{
	probe_handle(pt, p);
	if (!p->herr) {
		probe_mount_fd(pt, p);
		if (p->mfd_err) {
			p->herr = p->mfd_err;
			vfs_handle_free(p->h);
			p->h = NULL;
		}
	}
	if (p->herr) {
		if (pt->cfg.handles == HANDLES_MANDATORY)
			return p->herr == -ENXIO ? -EIO : p->herr;
		fell_back(pt, p, p->mfd_err ? "no mount fd" : "no handle", p->herr);
	}
	return 0;
}

/* Creates the inode designs (a) and (b) make: handle or O_PATH fd. */
static struct inode *create_v3(struct passthrough *pt, struct probe *p)
{
	struct inode *inode = new_inode(pt, p);

	if (!inode)
		return NULL;
	if (p->h) {
		inode->handle = p->h;
		p->h = NULL;
		give_mount_ref(p, inode);
	} else {
		give_fd(pt, p, inode);
	}
	/* Like v3, every inode goes into by-ids, with or without an fd. */
	inode_store_add_locked(&pt->store, inode, true);
	created(pt, p, inode);
	return inode;
}

/*
 * Design (b), the v3 patch (lo_find in "virtiofsd: Add inodes_by_handle
 * hash table"): by handle first, then by ids, rejecting an ids hit without
 * an O_PATH fd because its inode number may have been reused. When making
 * the handle fails on a later lookup of a file that already has a handle
 * inode, that inode is rejected and a second one is created: the duplicate
 * inode Vivek Goyal describes in the thread.
 */
static int lookup_v3(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode = NULL, *hit = NULL;
	int err = usable_handle(pt, p);

	if (err)
		return err;
	inode_store_lock(&pt->store);
	if (p->h)
		inode = inode_store_find_handle_locked(&pt->store, p->h);
	if (inode) {
		found(pt, p, inode, true);
	} else {
		hit = inode_store_find_ids_locked(&pt->store, p->st.st_dev,
						  p->st.st_ino, p->mnt_id);
		if (hit && hit->fd < 0) {
			VFS_PROBE(ids_hit_rejected, hit->nodeid, 0);
			counter_inc(pt->counters.ids_hits_rejected);
			log_event(pt, "ids_hit_rejected", p, hit, "no O_PATH fd", 0);
		} else if (hit) {
			inode = hit;
			found(pt, p, inode, false);
		}
	}
	if (inode) {
		inode_store_ref_lookup_locked(&pt->store, inode);
	} else {
		inode = create_v3(pt, p);
		/* The rejected ids hit was this very file: now it has two inodes. */
		if (inode && hit && hit->fd < 0 && hit->handle && !p->h)
			VFS_PROBE(duplicate_inode, inode->nodeid, 0);
	}
	inode_store_unlock(&pt->store);
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

/*
 * Design (a), the key before the series: (st_dev, st_ino, mnt_id) only,
 * now also for inodes that hold a handle and no fd. Once such a file is
 * unlinked its inode number is free; the next file given that number is
 * found here and served by the old file's inode (inode ID reuse, [1] in
 * Max Reitz's commit message).
 */
static int lookup_ids_only(struct passthrough *pt, struct probe *p, struct inode **out)
{
	struct inode *inode;
	int err = usable_handle(pt, p);

	if (err)
		return err;
	inode_store_lock(&pt->store);
	inode = inode_store_find_ids_locked(&pt->store, p->st.st_dev, p->st.st_ino,
					    p->mnt_id);
	if (inode) {
		inode_store_ref_lookup_locked(&pt->store, inode);
		found(pt, p, inode, false);
	} else {
		inode = create_v3(pt, p);
	}
	inode_store_unlock(&pt->store);
	if (!inode)
		return -ENOMEM;
	*out = inode;
	return 0;
}

/* The root holds its fd, so equal ids are the root itself. */
static bool is_root(struct passthrough *pt, const struct probe *p)
{
	/* Its ids never change after passthrough_init: no lock needed. */
	return pt->root->dev == p->st.st_dev && pt->root->ino == p->st.st_ino &&
	       pt->root->mnt_id == p->mnt_id;
}

/* Finds or creates the inode for the file open O_PATH at @fd (taken). */
static int lookup_fd(struct passthrough *pt, int fd, uint64_t parent,
		     const char *name, struct stat *st, struct inode **out)
{
	struct probe p = { .fd = fd, .mfd = -1, .parent = parent, .name = name };
	int err;

	counter_inc(pt->counters.lookups);
	err = stat_fd(fd, &p.st, &p.mnt_id);
	if (!err && is_root(pt, &p)) {
		/* ".." of a top-level directory: nodeid 1, whatever the design. */
		inode_store_lock(&pt->store);
		*out = pt->root;
		inode_store_ref_lookup_locked(&pt->store, *out);
		inode_store_unlock(&pt->store);
	} else if (!err) {
		switch (pt->cfg.design) {
		case DESIGN_FIXED:
			err = lookup_fixed(pt, &p, out);
			break;
		case DESIGN_V3:
			err = lookup_v3(pt, &p, out);
			break;
		case DESIGN_IDS_ONLY:
			err = lookup_ids_only(pt, &p, out);
			break;
		}
	}
	if (!err)
		*st = p.st;
	probe_free(pt, &p);
	return err;
}

static int open_opath(struct passthrough *pt, int dirfd, const char *name)
{
	int fd, err = fault_check(&pt->faults, FAULT_OPATH_OPEN);

	if (err)
		return err;
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int passthrough_lookup(struct passthrough *pt, struct inode *parent,
		       const char *name, struct stat *st, struct inode **out)
{
	bool tmp;
	int pfd, fd;

	if (!strcmp(name, ".."))
		/* ".." of the root is the root: the guest never leaves SOURCE. */
		name = parent->nodeid == ROOT_NODEID ? "." : "..";
	if (!strcmp(name, ".") || !*name) {
		fd = passthrough_stat(pt, parent, st);
		if (fd < 0)
			return fd;
		inode_store_lock(&pt->store);
		inode_store_ref_lookup_locked(&pt->store, parent);
		inode_store_unlock(&pt->store);
		*out = parent;
		return 0;
	}
	if (strchr(name, '/'))
		return -EINVAL; /* a forged request: the kernel never sends one */
	pfd = inode_path_fd(pt, parent, &tmp);
	if (pfd < 0)
		return pfd;
	fd = open_opath(pt, pfd, name);
	inode_path_fd_done(pfd, tmp);
	if (fd < 0)
		return fd;
	return lookup_fd(pt, fd, parent->nodeid, name, st, out);
}

int passthrough_lookup_self(struct passthrough *pt, uint64_t nodeid,
			    struct stat *st, struct inode **out)
{
	struct inode *inode;
	bool tmp;
	int fd, err, mfd;

	inode_store_lock(&pt->store);
	inode = inode_store_find_nodeid_locked(&pt->store, nodeid);
	if (inode)
		inode->refs++; /* keeps a retired inode from being evicted meanwhile */
	inode_store_unlock(&pt->store);
	if (!inode)
		return -ESTALE;
	fd = inode_path_fd(pt, inode, &tmp);
	err = fd < 0 ? fd : stat_fd(fd, st, NULL);
	inode_path_fd_done(fd, tmp);
	if (err == -ENOENT || err == -EIO)
		err = -ESTALE;
	if (!err && inode->handle && !inode->mount_ref && inode->fd < 0 &&
	    !mount_fds_get(&pt->mount_fds, inode->mnt_id, -1, 0, &mfd)) {
		inode_store_lock(&pt->store);
		if (!inode->mount_ref) {
			inode->mount_ref = true;
			inode->mount_fd = mfd;
			mfd = -1;
		}
		inode_store_unlock(&pt->store);
		if (mfd >= 0)
			mount_fds_put(&pt->mount_fds, inode->mnt_id);
	}
	inode_store_lock(&pt->store);
	if (!err) {
		if (inode->retired)
			log_event(pt, "inode_revived", NULL, inode, "lookup .", 0);
		inode_store_ref_lookup_locked(&pt->store, inode);
	}
	inode_store_unlock(&pt->store);
	inode_store_put(&pt->store, inode);
	if (err)
		return err;
	*out = inode;
	return 0;
}
