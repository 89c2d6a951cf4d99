/*
 * counters: what the control socket's "counters" command reports. Plain
 * atomics, bumped on the request path without a lock.
 */
#ifndef VFS_COUNTERS_H
#define VFS_COUNTERS_H

#include <stdint.h>

#define COUNTERS_MAX_ERRNO 134 /* errnos above this are counted as "other" */

struct counters {
	uint64_t lookups;
	uint64_t forgets;
	uint64_t inodes_created;
	uint64_t found_by_handle;
	uint64_t found_by_ids;
	uint64_t ids_hits_rejected;
	uint64_t fallbacks_opath;
	uint64_t stale_handles;
	uint64_t inode_fds;     /* O_PATH fds held by inodes, now */
	uint64_t mount_fds;     /* mount fds open, now */
	uint64_t files_open;    /* open files and directories, now */
	uint64_t state_restored; /* nodeids brought back from --state at start */
	uint64_t state_dropped;  /* records not brought back (mount gone, duplicate) */
	uint64_t state_records;  /* records appended to --state */
	uint64_t state_syncs;    /* fsyncs of --state (nodeid reservations) */
	uint64_t state_rewrites; /* --state rewritten whole */
	uint64_t handle_failures[COUNTERS_MAX_ERRNO + 1]; /* [0]: other */
};

#define counter_inc(c) __atomic_add_fetch(&(c), 1, __ATOMIC_RELAXED)
#define counter_dec(c) __atomic_sub_fetch(&(c), 1, __ATOMIC_RELAXED)
#define counter_get(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

static inline void counters_handle_failure(struct counters *c, int err)
{
	if (err < 0)
		err = -err;
	counter_inc(c->handle_failures[err > 0 && err <= COUNTERS_MAX_ERRNO ? err : 0]);
}

#endif
