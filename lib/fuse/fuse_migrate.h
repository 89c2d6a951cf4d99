/*
 * fuse_migrate: a FUSE session's device state, for a vhost-user
 * migration (SET_DEVICE_STATE_FD): the store's inodes with the guest's
 * lookups (persist.h), every open file and directory by its file handle
 * and open flags, under the fh the guest holds, and the session's
 * FUSE_INIT request, which the destination replays into its own session
 * so that the guest's next request is not its first.
 *
 * The source is stopped (no request in flight: one thread serves both
 * the rings and the messages); the destination is fresh. A file open on
 * the source is opened again from its handle: one deleted meanwhile is
 * refused (ESTALE), never replaced by the file now at its name.
 */
#ifndef VFS_FUSE_MIGRATE_H
#define VFS_FUSE_MIGRATE_H

#include <stddef.h>

#include "core/passthrough.h"
#include "util/errbuf.h"
#include "util/strbuf.h"

/* The state of the session @pt serves, whose INIT was @init. 0 or -errno with @why. */
int fuse_migrate_save(struct passthrough *pt, const void *init, size_t init_len,
		      struct strbuf *out, struct errbuf *why);
/*
 * Loads @len bytes into @pt (fresh: no request served). The INIT to
 * replay goes into *@init (malloc'd, NULL if the source had none). 0, or
 * -errno with @why: the destination must not serve then.
 */
int fuse_migrate_load(struct passthrough *pt, const void *buf, size_t len,
		      unsigned char **init, size_t *init_len, struct errbuf *why);

#endif
