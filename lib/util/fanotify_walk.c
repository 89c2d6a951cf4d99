/* fanotify_walk: FAN_EVENT_OK's checks, on a copy. */
#include <string.h>

#include "util/fanotify_walk.h"

int fanotify_walk(const char *buf, size_t n, size_t *off, struct fanotify_event_metadata *md,
		  const char **raw)
{
	if (*off > n || n - *off < sizeof(*md))
		return 0;
	memcpy(md, buf + *off, sizeof(*md));
	if (md->event_len < sizeof(*md) || md->event_len > n - *off ||
	    md->metadata_len < sizeof(*md) || md->metadata_len > md->event_len)
		return 0;
	*raw = buf + *off;
	*off += md->event_len;
	return 1;
}
