/*
 * lookup_probe: the pieces every design's lookup is made of: the probe's
 * handle and mount fd, inode creation from a probe, and the decisions
 * noted for the log. Counters are atomics and may be bumped under the
 * store lock; log lines and USDT probes wait until it is dropped
 * (lookup_flush_events in lookup.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/lookup_internal.h"
#include "obs/usdt.h"

static void add_event(struct probe *p, const char *event, const char *reason, int err,
		      enum lookup_usdt usdt, const struct inode_info *info)
{
	struct lookup_event *e;

	if (p->nev == LOOKUP_MAX_EVENTS)
		return; /* no design notes this many: a bug would only lose log lines */
	e = &p->ev[p->nev++];
	*e = (struct lookup_event){ .event = event, .reason = reason, .err = err,
				    .usdt = usdt, .has_inode = info != NULL };
	if (info)
		e->inode = *info;
}

void note(struct passthrough *pt, struct probe *p, const char *event, struct inode *inode,
	  const char *reason, int err)
{
	struct inode_info info;

	if (inode)
		inode_store_info(pt->store, inode, &info);
	add_event(p, event, reason, err, USDT_NONE, inode ? &info : NULL);
}

void note_locked(struct passthrough *pt, struct probe *p, const char *event,
		 struct inode *inode, const char *reason, int err, enum lookup_usdt usdt)
{
	struct inode_info info;

	if (inode)
		inode_store_info_locked(pt->store, inode, &info);
	add_event(p, event, reason, err, usdt, inode ? &info : NULL);
}

void probe_handle(struct passthrough *pt, struct probe *p)
{
	if (pt->cfg.handles == HANDLES_NEVER)
		return;
	p->herr = fault_check(&pt->faults, FAULT_HANDLE_GENERATE);
	if (!p->herr)
		p->herr = vfs_handle_make(p->fd, "", AT_EMPTY_PATH, &p->h);
	if (p->herr) {
		VFS_PROBE(handle_failed, p->st.st_ino, -p->herr);
		counters_handle_failure(&pt->counters, p->herr);
		note(pt, p, "handle_failed", NULL, "name_to_handle_at", p->herr);
	}
}

void probe_mount_fd(struct passthrough *pt, struct probe *p)
{
	p->mfd_err = mount_fds_get(&pt->mount_fds, p->mnt_id, p->fd, p->st.st_mode, &p->mref);
	if (p->mfd_err)
		p->mref.fd = -1;
}

struct inode *probe_create_locked(struct passthrough *pt, struct probe *p, bool handle,
				  bool fd, bool mount_ref, bool in_ids)
{
	struct inode_new n = {
		.dev = p->st.st_dev, .ino = p->st.st_ino, .mnt_id = p->mnt_id,
		.type = p->st.st_mode & S_IFMT, .h = handle ? p->h : NULL,
		.fd = fd ? p->fd : -1, .mount = mount_ref ? p->mref : MOUNT_REF_NONE,
		.in_ids = in_ids,
	};
	struct inode *inode = inode_store_create_locked(pt->store, &n);

	if (!inode)
		return NULL;
	/* The store took them: the probe no longer owns them. */
	if (handle)
		p->h = NULL;
	if (fd) {
		p->fd = -1;
		counter_inc(pt->counters.inode_fds);
	}
	if (mount_ref)
		p->mref.fd = -1;
	counter_inc(pt->counters.inodes_created);
	note_locked(pt, p, "inode_created", inode, NULL, 0, USDT_NONE);
	return inode;
}

void found_locked(struct passthrough *pt, struct probe *p, struct inode *inode, bool by_handle)
{
	if (by_handle)
		counter_inc(pt->counters.found_by_handle);
	else
		counter_inc(pt->counters.found_by_ids);
	note_locked(pt, p, by_handle ? "found_by_handle" : "found_by_ids", inode, NULL, 0,
		    USDT_NONE);
}

void fell_back(struct passthrough *pt, struct probe *p, const char *why, int err, bool locked)
{
	counter_inc(pt->counters.fallbacks_opath);
	if (locked)
		note_locked(pt, p, "fallback_opath", NULL, why, err, USDT_FALLBACK_OPATH);
	else
		add_event(p, "fallback_opath", why, err, USDT_FALLBACK_OPATH, NULL);
}

int usable_handle(struct passthrough *pt, struct probe *p)
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
		fell_back(pt, p, p->mfd_err ? "no mount fd" : "no handle", p->herr, false);
	}
	return 0;
}

struct inode *create_v3(struct passthrough *pt, struct probe *p)
{
	bool h = p->h != NULL;

	/* Like v3, every inode goes into by-ids, with or without an fd. */
	return probe_create_locked(pt, p, h, !h, h, true);
}
