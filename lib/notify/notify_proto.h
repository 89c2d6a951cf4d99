/*
 * notify_proto: vfskit's host change notification over virtio-fs, version
 * 1. Not mainline FUSE: numbers of our own, far from everything taken
 * (../shared/reference/virtio-fs-2026-notes.md, section 2): mainline
 * notify codes 1-9, out-of-tree 9-11 and 99-101; opcodes up to 55, and
 * CUSE_INIT 4096.
 *
 * The guest asks: a FUSE request VFSKIT_OP_WATCH on a directory's nodeid
 * with struct vfskit_watch_in; the reply is a plain fuse_out_header (0 or
 * -errno). VFSKIT_OP_UNWATCH removes it.
 *
 * The device tells: one event per notification-queue buffer (virtio
 * 5.11.2, VIRTIO_FS_F_NOTIFICATION): a fuse_out_header with unique 0 and
 * error VFSKIT_NOTIFY_EVENT, then struct vfskit_event and its name. A
 * rename within or across watched directories is two events, MOVED_FROM
 * then MOVED_TO, sharing a cookie; the first carries VFSKIT_EV_MULTIPART
 * when its partner follows. Under the atomic policies the two are sent in
 * two consecutive buffers or not at all. When no buffer is there for an
 * event the device counts it and, in the next buffer, sends IN_Q_OVERFLOW
 * with the count in cookie: never a silent drop.
 */
#ifndef VFS_NOTIFY_PROTO_H
#define VFS_NOTIFY_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define VFSKIT_NOTIFY_VERSION 1
#define VFSKIT_OP_WATCH 0x7f00
#define VFSKIT_OP_UNWATCH 0x7f01
#define VFSKIT_NOTIFY_EVENT 0x7f00

#define VFSKIT_EV_MULTIPART 1u /* a second part (same cookie) follows in the next buffer */

struct vfskit_watch_in {
	uint32_t version; /* VFSKIT_NOTIFY_VERSION */
	uint32_t mask;    /* inotify IN_* bits */
};

struct vfskit_event {
	uint32_t version;
	uint32_t mask;       /* IN_* bits of this part */
	uint64_t nodeid;     /* the watched directory the name is in */
	uint64_t generation; /* of that nodeid, as the guest was given it */
	uint32_t cookie;     /* joins the parts of a rename; overflow: events lost */
	uint32_t flags;      /* VFSKIT_EV_* */
	uint32_t namelen;    /* bytes of name that follow, no NUL */
	uint32_t padding;
};

/* The largest record: an out header, the event, a NAME_MAX name. */
#define VFSKIT_EVENT_MAX (16 + sizeof(struct vfskit_event) + 255)
/* What each buffer must hold so that any record fits (the config's notify_buf_size). */
#define VFSKIT_NOTIFY_BUF_MIN VFSKIT_EVENT_MAX

enum notify_policy { NOTIFY_SPLIT, NOTIFY_ATOMIC, NOTIFY_RESERVE };
/* "split", "atomic", "reserve"; 0 or -EINVAL. */
int notify_policy_parse(const char *s, enum notify_policy *p);
const char *notify_policy_name(enum notify_policy p);

/* The host watcher behind a device (vfs-serve --notify-backend). */
enum notify_backend { NOTIFY_BACKEND_AUTO, NOTIFY_BACKEND_FANOTIFY, NOTIFY_BACKEND_INOTIFY,
		      NOTIFY_BACKEND_FANOTIFY_FS };

/*
 * "auto", "fanotify", "inotify", "fanotify-fs" (fanotify with one
 * FAN_MARK_FILESYSTEM mark per shared filesystem instead of one mark per
 * watched directory: every change there is read, and those in no watched
 * directory are dropped, counted unknown); 0 or -EINVAL.
 */
int notify_backend_parse(const char *s, enum notify_backend *b);
const char *notify_backend_name(enum notify_backend b);

/*
 * Encodes one event into @buf (room @len): the header, the record, @name.
 * Its length, or 0 when it does not fit.
 */
size_t notify_encode(void *buf, size_t len, const struct vfskit_event *ev, const char *name);
/*
 * Decodes one buffer of @len bytes: 0 with @ev and @name (NUL-terminated,
 * room 256) filled, or -EPROTO (not ours, truncated, a lying length).
 */
int notify_decode(const void *buf, size_t len, struct vfskit_event *ev, char *name);

/* "CREATE", "MOVED_FROM", ... for one IN_* bit; "?" otherwise. */
const char *notify_mask_name(uint32_t mask);

#endif
