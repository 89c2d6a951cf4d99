/*
 * watch_table: the watches a guest asked for, and the rules every host
 * watcher delivers through: which events reach the guest (its mask; a
 * nodeid it still holds under the generation it watched it with), how a
 * rename's halves go out (notify_send, under the chosen policy), and what
 * is dropped and counted (in no watched directory, stale). The host
 * watchers (host_fanotify.c, host_inotify.c) call in here; this file
 * calls none of them.
 */
#ifndef VFS_NOTIFY_WATCH_TABLE_H
#define VFS_NOTIFY_WATCH_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>

#include "core/passthrough.h"
#include "notify/notify_send.h"

struct notify_host_ops;

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
	const struct notify_host_ops *ops; /* the backend's, NULL before the first watch */
	struct notify_watch_entry w[NOTIFY_WATCH_MAX];
	int n;
	struct passthrough *pt;
	struct notify_sender sender;
	struct notify_watch_counts c;
	uint32_t next_cookie;        /* fanotify has none: the server makes them */
};

struct notify_watch_entry *notify_watch_by_nodeid(struct notify_watch *nw, uint64_t nodeid);
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

#endif
