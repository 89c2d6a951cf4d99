/*
 * notify_watch: the host side of change notification for vfs-serve's
 * vhost-user mode. The guest's WATCH of a directory nodeid becomes a
 * host watch on that directory, through the inode's own fd (the path it
 * has now does not matter):
 *
 *   fanotify (FAN_REPORT_DFID_NAME_TARGET, FAN_RENAME; the default where
 *   fanotify_init works): a rename comes whole, both names in one event,
 *   and each event says which process made it, so the guest's own
 *   changes through vfs-serve are reported by the server itself, from
 *   the request and its reply, and the host's copy of them is dropped
 *   (but for FUSE_CREATE: its reply does not say whether it created the
 *   file, so fanotify's event, or its absence, stands);
 *
 *   inotify (the fallback): a rename's halves are paired by cookie in a
 *   read, and every change comes back from the host once, the guest's
 *   own among them (inotify cannot tell who made it).
 *
 * Each host event becomes an event on the nodeid watched, sent by
 * notify_send under the chosen rename policy; one whose nodeid the
 * guest no longer holds, or holds under another generation, is dropped
 * and counted, as is one in no watched directory.
 */
#ifndef VFS_SERVE_NOTIFY_WATCH_H
#define VFS_SERVE_NOTIFY_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>

#include "core/passthrough.h"
#include "notify/notify_send.h"

#define NOTIFY_WATCH_MAX 64

/* A directory's identity as fanotify reports it: fsid and file handle. */
struct notify_dir_id {
	uint64_t fsid;
	uint32_t bytes;
	int type;
	unsigned char h[MAX_HANDLE_SZ];
};

/* The identity of the directory open as @fd: 0 or -errno. */
int notify_dir_id_of(int fd, struct notify_dir_id *id);

struct notify_watch_entry {
	uint64_t nodeid;
	uint32_t generation;         /* of the nodeid when it was watched */
	uint32_t mask;               /* the guest's IN_* bits */
	int wd;                      /* inotify */
	struct notify_dir_id id;     /* fanotify */
};

struct notify_watch_counts {
	uint64_t host_events;        /* read from the host watcher */
	uint64_t unknown;            /* in no watched directory: dropped */
	uint64_t stale;              /* a nodeid forgotten or of another generation: dropped */
	uint64_t own_reported;       /* guest changes reported from their requests */
	uint64_t own_suppressed;     /* the host's copies of those: dropped */
	uint64_t second_halves_faulted; /* the notify_second_half fault point */
};

struct notify_watch {
	enum notify_backend backend; /* as chosen: fanotify or inotify once a watch exists */
	bool auto_chosen;            /* fanotify taken by auto: may still fall back */
	bool fs_mark;                /* fanotify-fs */
	bool suppress_own;           /* a change of ours is about to be reported from its request */
	struct { uint64_t fsid; uint64_t mask; } fs[8]; /* the filesystems marked */
	int nfs;
	int fd;                      /* the backend's, -1 before the first watch */
	struct notify_watch_entry w[NOTIFY_WATCH_MAX];
	int n;
	struct passthrough *pt;
	struct notify_sender sender;
	struct notify_watch_counts c;
	uint32_t next_cookie;        /* fanotify has none: the server makes them */
};

void notify_watch_init(struct notify_watch *nw, enum notify_backend b, enum notify_policy p,
		       const struct notify_sink *k);
void notify_watch_release(struct notify_watch *nw);
/* A WATCH of @nodeid with @mask: 0 or -errno (ENOTDIR, ESTALE for a nodeid not held, ENOSPC). */
int notify_watch_add(struct notify_watch *nw, struct passthrough *pt, uint64_t nodeid, uint32_t mask);
/* An UNWATCH: 0 or -ENOENT. */
int notify_watch_remove(struct notify_watch *nw, uint64_t nodeid);
/* Reads what the host watcher has and sends it; never blocks. */
void notify_watch_process(struct notify_watch *nw);

/*
 * A guest request vfs-serve is about to answer (@req, @len bytes) and its
 * reply's error: a change it made (create, delete, rename) is reported
 * here, once, when the backend can tell the host's copy from others'.
 */
void notify_watch_own(struct notify_watch *nw, const void *req, size_t len, int error);
/* Whether notify_watch_own has anything to do with a request of @opcode. */
bool notify_watch_reports(uint32_t opcode);

/* --- for the backends (notify_fanotify.c, notify_inotify.c) --- */

struct notify_watch_entry *notify_watch_by_wd(struct notify_watch *nw, int wd);
struct notify_watch_entry *notify_watch_by_id(struct notify_watch *nw, const struct notify_dir_id *id);
/*
 * One host event on @e (or none: NULL, counted unknown): @mask of IN_*
 * bits, @name ("" for the directory itself). A rename with both sides
 * watched goes through notify_watch_deliver_rename instead.
 */
void notify_watch_deliver(struct notify_watch *nw, struct notify_watch_entry *e, uint32_t mask,
			  uint32_t cookie, const char *name);
void notify_watch_deliver_rename(struct notify_watch *nw, struct notify_watch_entry *from,
				 const char *fname, struct notify_watch_entry *to, const char *tname,
				 uint32_t isdir, uint32_t cookie);
/* The watch on @e is gone on the host (its directory deleted): forgotten. */
void notify_watch_drop(struct notify_watch *nw, struct notify_watch_entry *e);

int notify_fanotify_open(void);
int notify_fanotify_add(struct notify_watch *nw, int dirfd, uint32_t mask, struct notify_dir_id *id);
void notify_fanotify_remove(struct notify_watch *nw, const struct notify_watch_entry *e);
void notify_fanotify_process(struct notify_watch *nw);

int notify_inotify_open(void);
int notify_inotify_add(struct notify_watch *nw, int dirfd, uint32_t mask);
void notify_inotify_remove(struct notify_watch *nw, const struct notify_watch_entry *e);
void notify_inotify_process(struct notify_watch *nw);

#endif
