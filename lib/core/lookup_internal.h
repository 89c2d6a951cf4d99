/*
 * lookup_internal: what the three designs' lookup files share. A lookup
 * first "probes" the name: one O_PATH fd, its stat and mount id, and
 * (depending on the design) its handle and a mount fd reference; then the
 * design decides, under the store lock, which inode the file is.
 *
 * Decisions made under the store lock are noted in the probe and written
 * to the decision log (and USDT) only after the lock is dropped.
 */
#ifndef VFS_LOOKUP_INTERNAL_H
#define VFS_LOOKUP_INTERNAL_H

#include "core/lookup.h"

enum lookup_usdt { USDT_NONE, USDT_FALLBACK_OPATH, USDT_IDS_HIT_REJECTED, USDT_DUPLICATE };

/* One decision, to be logged once the store lock is dropped. */
struct lookup_event {
	const char *event;      /* the decision log's "event" */
	const char *reason;     /* or NULL */
	int err;                /* -errno or 0 */
	enum lookup_usdt usdt;
	bool has_inode;
	struct inode_info inode;
};

#define LOOKUP_MAX_EVENTS 6

/* What one lookup learned about the file, before the store is consulted. */
struct probe {
	int fd;                 /* O_PATH fd on the file; -1 once given away */
	struct stat st;
	int mnt_id;
	struct vfs_handle *h;   /* NULL: no handle */
	int herr;               /* why there is no handle */
	struct mount_ref mref;  /* mount fd reference taken (.fd -1: none) */
	int mfd_err;
	uint64_t parent;
	const char *name;
	struct lookup_event ev[LOOKUP_MAX_EVENTS];
	int nev;
};

/* A design: decides which inode the probed file is, counting one lookup. */
struct lookup_design {
	int (*lookup)(struct passthrough *pt, struct probe *p, struct inode **out);
};

extern const struct lookup_design lookup_fixed, lookup_v3, lookup_ids_only;

/* Notes a decision about @inode (may be NULL); _locked: under the store lock. */
void note(struct passthrough *pt, struct probe *p, const char *event, struct inode *inode,
	  const char *reason, int err);
void note_locked(struct passthrough *pt, struct probe *p, const char *event,
		 struct inode *inode, const char *reason, int err, enum lookup_usdt usdt);

/* The probed file's lookup-only handle (fault point handle_generate). */
void probe_handle(struct passthrough *pt, struct probe *p);
/* A mount fd reference for the probed file's mount (makes the handle usable). */
void probe_mount_fd(struct passthrough *pt, struct probe *p);
/* A new inode from the probe, taking what @n says; NULL on ENOMEM. */
struct inode *probe_create_locked(struct passthrough *pt, struct probe *p, bool handle,
				  bool fd, bool mount_ref, bool in_ids);
/* The three ways a lookup ends, counted and noted. */
void found_locked(struct passthrough *pt, struct probe *p, struct inode *inode, bool by_handle);
void fell_back(struct passthrough *pt, struct probe *p, const char *why, int err, bool locked);

/*
 * Designs (a) and (b): the *usable* handle, made together with a mount fd;
 * any failure of either means no handle. 0, or -errno if the policy is
 * mandatory.
 */
int usable_handle(struct passthrough *pt, struct probe *p);
/* The inode (a) and (b) create: handle with mount ref, or O_PATH fd; in by-ids. */
struct inode *create_v3(struct passthrough *pt, struct probe *p);

#endif
