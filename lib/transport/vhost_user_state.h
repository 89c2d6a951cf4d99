/*
 * vhost_user_state: a back-end's internal state moved as migration moves
 * it (QEMU docs/interop/vhost-user.rst, "Migrating back-end state"):
 * with PROTOCOL_F_DEVICE_STATE, SET_DEVICE_STATE_FD hands the back-end
 * one end of a pipe and a direction, the sender writes the state and
 * closes, the receiver reads to EOF, and CHECK_DEVICE_STATE says whether
 * it worked. The device must be stopped (every ring's GET_VRING_BASE on
 * the source; no ring started yet on the destination).
 */
#ifndef VFS_VHOST_USER_STATE_H
#define VFS_VHOST_USER_STATE_H

#include <stddef.h>

#include "transport/vhost_user_front.h"
#include "util/strbuf.h"

#define VU_STATE_MAX (64u << 20) /* more than any back-end's state here: a lie past it */

/*
 * The stopped source's state into @state. 0; -EOPNOTSUPP when the
 * back-end did not offer DEVICE_STATE; -EIO when it refused or its check
 * failed; -E2BIG past VU_STATE_MAX; -ETIMEDOUT; f->err says which.
 */
int vu_front_save_state(struct vu_front *f, struct strbuf *state);

/* @len bytes of @state into the destination, then its check; as vu_front_save_state. */
int vu_front_load_state(struct vu_front *f, const void *state, size_t len);

#endif
