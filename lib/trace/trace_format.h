/*
 * trace_format: events as a person reads them (aligned columns) and as a
 * program does (one JSON object per line).
 */
#ifndef VFS_TRACE_FORMAT_H
#define VFS_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/trace_event.h"

/* "name_to_handle_at", "FUSE_LOOKUP", "fsmount", "vfskit:stale_handle"... */
const char *event_operation(const struct event *e, char *buf, size_t len);
const char *fuse_opcode_name(unsigned opcode);
const char *usdt_probe_name(unsigned which);
const char *mount_call_name(unsigned which);

/* The errno of a failed event, as a name ("ESTALE"), or NULL if it did not fail. */
const char *event_errno(const struct event *e, char *buf, size_t len);

void format_header(char *buf, size_t len, bool timestamps);
/* One line, no newline. @t0: the first event's time, for -T. */
void format_text(const struct event *e, bool timestamps, unsigned long long t0,
		 char *buf, size_t len);
/* One JSON object with its newline. */
size_t format_json(const struct event *e, char *buf, size_t len);

#endif
