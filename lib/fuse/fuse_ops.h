/*
 * fuse_ops: the libfuse low-level operations of the passthrough server.
 * Each handler finds its inode through the store (an unknown nodeid gets
 * ESTALE), acts on the host file with *at() calls relative to held fds,
 * and replies with the host's result.
 */
#ifndef VFS_FUSE_OPS_H
#define VFS_FUSE_OPS_H

#include <fuse_lowlevel.h>

#include "core/passthrough.h"

/* The operation table; the session's userdata must be a struct passthrough. */
extern const struct fuse_lowlevel_ops passthrough_fuse_ops;

#endif
