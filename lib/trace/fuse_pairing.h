/*
 * fuse_pairing: where tp_btf on fuse_request_end is missing, the kernel
 * side sends the fuse_request_send and fuse_request_end tracepoints as
 * they come; this joins them on (connection, unique) into one request
 * event: opcode and requester from the send, error and daemon from the
 * end. A bounded table: a send whose end never comes is forgotten when
 * its slot is needed.
 */
#ifndef VFS_TRACE_FUSE_PAIRING_H
#define VFS_TRACE_FUSE_PAIRING_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/trace_event.h"

struct fuse_pairing {
	struct event *sends;
	bool *used;
	size_t capacity; /* power of two */
	unsigned long long dropped; /* sends overwritten before their end */
};

int fuse_pairing_init(struct fuse_pairing *p, size_t capacity);
void fuse_pairing_release(struct fuse_pairing *p);
void fuse_pairing_send(struct fuse_pairing *p, const struct event *send);
/* True, with @out an EV_FUSE event, if @end's send was seen. */
bool fuse_pairing_end(struct fuse_pairing *p, const struct event *end, struct event *out);

#endif
