/*
 * lookup: every lookup first opens the name O_PATH|O_NOFOLLOW and then
 * takes the ids and the handle from that one fd, so the stat and the handle
 * always describe the same file even while the host renames underneath.
 * Which inode the file is, is the design's decision (lookup_fixed.c,
 * lookup_v3.c, lookup_ids_only.c); what it decided is logged here, after
 * the store lock is dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/lookup_internal.h"
#include "core/persist.h"
#include "obs/usdt.h"
#include "util/errno_name.h"
#include "util/handle_text.h"
#include "util/proc_fd.h"

static const struct lookup_design *design_of(struct passthrough *pt)
{
	switch (pt->cfg.design) {
	case DESIGN_V3:
		return &lookup_v3;
	case DESIGN_IDS_ONLY:
		return &lookup_ids_only;
	default:
		return &lookup_fixed;
	}
}

static void log_event(struct passthrough *pt, const struct probe *p,
		      const struct lookup_event *e)
{
	struct json_line j;
	char hex[HANDLE_TEXT_MAX];

	decision_log_begin(&j, e->event);
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
	if (e->has_inode) {
		json_u64(&j, "nodeid", e->inode.nodeid);
		json_bool(&j, "has_fd", e->inode.has_fd);
		json_bool(&j, "has_handle", e->inode.handle != NULL);
		json_u64(&j, "nlookup", e->inode.nlookup);
	}
	if (e->reason)
		json_str(&j, "reason", e->reason);
	if (e->err) {
		const char *n = errno_name(-e->err);

		json_str(&j, "errno", n ? n : "unknown");
	}
	decision_log_emit(&pt->log, &j);
}

/* What the design decided, to the log and USDT, now that no lock is held. */
static void flush_events(struct passthrough *pt, struct probe *p)
{
	for (int k = 0; k < p->nev; k++) {
		const struct lookup_event *e = &p->ev[k];

		switch (e->usdt) {
		case USDT_FALLBACK_OPATH:
			VFS_PROBE(fallback_opath, p->st.st_ino, -e->err);
			break;
		case USDT_IDS_HIT_REJECTED:
			VFS_PROBE(ids_hit_rejected, e->inode.nodeid, 0);
			break;
		case USDT_DUPLICATE:
			VFS_PROBE(duplicate_inode, e->inode.nodeid, 0);
			break;
		case USDT_NONE:
			break;
		}
		if (e->event && decision_log_on(&pt->log))
			log_event(pt, p, e);
	}
	p->nev = 0;
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
	mount_fds_put(&pt->mount_fds, &p->mref);
	vfs_handle_free(p->h);
	p->fd = -1;
	p->h = NULL;
}

/* The root holds its fd, so equal ids are the root itself. */
static bool is_root(struct passthrough *pt, const struct probe *p)
{
	uint64_t dev, ino;
	int mnt_id;

	/* Its ids never change: no lock needed. */
	inode_ids(pt->root, &dev, &ino, &mnt_id);
	return dev == p->st.st_dev && ino == p->st.st_ino && mnt_id == p->mnt_id;
}

/* Finds or creates the inode for the file open O_PATH at @fd (taken). */
static int lookup_fd(struct passthrough *pt, int fd, uint64_t parent,
		     const char *name, struct stat *st, struct inode **out)
{
	struct probe p = { .fd = fd, .mref = MOUNT_REF_NONE, .parent = parent, .name = name };
	int err;

	counter_inc(pt->counters.lookups);
	err = stat_fd(fd, &p.st, &p.mnt_id);
	if (!err && is_root(pt, &p)) {
		/* ".." of a top-level directory: nodeid 1, whatever the design. */
		*out = pt->root;
		inode_store_ref_lookup(pt->store, *out);
	} else if (!err) {
		err = design_of(pt)->lookup(pt, &p, out);
	}
	flush_events(pt, &p);
	/* A nodeid not safely recorded is never replied: forget it again. */
	if (!err && (err = persist_note(pt, *out)))
		inode_store_forget(pt->store, inode_nodeid(*out), 1);
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

int passthrough_lookup_unnamed(struct passthrough *pt, int fd, struct inode *parent,
			       struct stat *st, struct inode **out)
{
	/* An O_PATH fd of its own, as every inode holds (the open file is the guest's handle). */
	int path = proc_fd_reopen(pt->proc_self_fd, fd, O_PATH);

	return path < 0 ? path : lookup_fd(pt, path, inode_nodeid(parent), "(unnamed)", st, out);
}

int passthrough_lookup(struct passthrough *pt, struct inode *parent,
		       const char *name, struct stat *st, struct inode **out)
{
	bool tmp;
	int pfd, fd;

	if (!strcmp(name, ".."))
		/* ".." of the root is the root: the guest never leaves SOURCE. */
		name = inode_nodeid(parent) == ROOT_NODEID ? "." : "..";
	if (!strcmp(name, ".") || !*name) {
		fd = passthrough_stat(pt, parent, st);
		if (fd < 0)
			return fd;
		inode_store_ref_lookup(pt->store, parent);
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
	return lookup_fd(pt, fd, inode_nodeid(parent), name, st, out);
}

/* A retired handle inode coming back gets a mount fd reference again. */
static void take_mount_ref(struct passthrough *pt, struct inode *inode)
{
	struct mount_ref ref;
	struct inode_info info;

	inode_store_info(pt->store, inode, &info);
	if (!info.handle || info.mount_ref || info.has_fd ||
	    mount_fds_get(&pt->mount_fds, info.mnt_id, -1, 0, &ref))
		return;
	inode_store_give_mount_ref(pt->store, inode, &ref);
	mount_fds_put(&pt->mount_fds, &ref); /* not taken: another lookup gave one */
}

int passthrough_lookup_self(struct passthrough *pt, uint64_t nodeid,
			    struct stat *st, struct inode **out)
{
	/* The reference keeps a retired inode from being evicted meanwhile. */
	struct inode *inode = inode_store_get_any(pt->store, nodeid);
	struct lookup_event revived = { .event = "inode_revived", .reason = "lookup .",
					.has_inode = true };
	bool tmp;
	int fd, err;

	if (!inode)
		return -ESTALE;
	fd = inode_path_fd(pt, inode, &tmp);
	err = fd < 0 ? fd : stat_fd(fd, st, NULL);
	inode_path_fd_done(fd, tmp);
	if (err == -ENOENT || err == -EIO)
		err = -ESTALE;
	if (!err) {
		inode_store_lock(pt->store);
		inode_store_info_locked(pt->store, inode, &revived.inode);
		inode_store_ref_lookup_locked(pt->store, inode); /* live again */
		inode_store_unlock(pt->store);
		if (revived.inode.retired && decision_log_on(&pt->log))
			log_event(pt, NULL, &revived);
		take_mount_ref(pt, inode);
	}
	inode_store_put(pt->store, inode);
	if (err)
		return err;
	*out = inode;
	return 0;
}
