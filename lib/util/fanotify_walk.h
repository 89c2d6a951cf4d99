/*
 * fanotify_walk: the events of one read(2) of a fanotify fd, one by one.
 * Events that carry information records are padded to 4 bytes, not to the
 * 8 their metadata's u64 mask needs: FAN_EVENT_NEXT then gives pointers a
 * struct may not be read through. Each event's metadata is copied out
 * instead; its records (4-byte aligned) are read where they are.
 */
#ifndef VFS_FANOTIFY_WALK_H
#define VFS_FANOTIFY_WALK_H

#include <stddef.h>
#include <sys/fanotify.h>

/*
 * The event at *@off of @buf (@n bytes): 1 with its metadata in @md,
 * *@raw at its first byte (records start at *@raw + md->metadata_len)
 * and *@off past it; 0 when no whole event is left.
 */
int fanotify_walk(const char *buf, size_t n, size_t *off, struct fanotify_event_metadata *md,
		  const char **raw);

#endif
