/*
 * state_image: what vfs-serve keeps of its inodes across a restart or a
 * migration, as bytes: the generation of its nodeids, how far nodeids may
 * have been handed out, the mounts its handles belong to and, per nodeid,
 * the host file handle that names its file.
 *
 * The same bytes are a --state file (a header, then records appended as
 * inodes are made, rewritten whole from time to time) and a vhost-user
 * device state. Each record carries a CRC32C: a record cut short or
 * damaged at the end is what a crash during an append leaves and is
 * dropped ("torn"); anything else wrong is refused with the offset and the
 * reason, never half-believed. Nothing here touches a file descriptor.
 *
 * Layout (little-endian, as the only host it is read on):
 *   header  "VFSKST01" u32 generation u32 crc
 *   record  u32 kind u32 len u32 crc(kind, len) u32 crc(payload) payload[len]
 *     LIMIT  u64 limit: no nodeid at or past it was handed out
 *     MOUNT  i32 mnt_id u32 0 u64 dev char point[]: a mount by its mount point
 *     INODE  u64 nodeid u64 dev u64 ino u32 type i32 mnt_id i32 htype
 *            u32 hbytes u8 handle[hbytes]
 *   and in a device state only (a migration keeps the FUSE session):
 *     LOOKUP u64 nodeid u64 nlookup: the guest's lookups of a live inode
 *     OPEN   u64 fh u32 kind u32 flags i32 mnt_id i32 htype u32 hbytes
 *            u8 handle[hbytes]: an open file or directory, by its handle
 *     INIT   the session's FUSE_INIT request, as the guest sent it
 */
#ifndef VFS_STATE_IMAGE_H
#define VFS_STATE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/vfs_handle.h"
#include "util/errbuf.h"
#include "util/strbuf.h"

#define STATE_HEADER_SIZE 16
#define STATE_RECORD_HEAD 16
#define STATE_HANDLE_MAX 128   /* MAX_HANDLE_SZ */
#define STATE_POINT_MAX 4095

enum state_kind {
	STATE_LIMIT = 1, STATE_MOUNT = 2, STATE_INODE = 3,
	STATE_LOOKUP = 4, STATE_OPEN = 5, STATE_INIT = 6,
};

#define STATE_INIT_MAX 256

struct state_mount {
	int mnt_id;
	uint64_t dev;
	char *point;
};

struct state_inode {
	uint64_t nodeid, dev, ino;
	uint64_t nlookup;     /* the writer's: live inodes' lookups (not in an INODE record) */
	mode_t type;
	struct vfs_handle *h; /* its mnt_id is the inode's */
};

struct state_lookup {
	uint64_t nodeid, nlookup;
};

struct state_open {
	uint64_t fh;
	uint32_t kind, flags;  /* open_files' kind; the open's flags */
	struct vfs_handle *h;
};

struct state_image {
	uint32_t generation;
	uint64_t limit;         /* the largest LIMIT seen (0: none) */
	struct state_mount *mounts;
	size_t nmounts;
	struct state_inode *inodes;
	size_t ninodes;
	struct state_lookup *lookups;
	size_t nlookups;
	struct state_open *opens;
	size_t nopens;
	unsigned char *init;    /* NULL: none */
	size_t init_len;
	size_t torn;            /* bytes dropped at the end: a cut-short last record */
	size_t good_len;        /* where the last whole record ends */
};

/* Appenders: on allocation failure @b remembers it (b->failed). */
void state_put_header(struct strbuf *b, uint32_t generation);
void state_put_limit(struct strbuf *b, uint64_t limit);
void state_put_mount(struct strbuf *b, int mnt_id, uint64_t dev, const char *point);
void state_put_inode(struct strbuf *b, uint64_t nodeid, uint64_t dev, uint64_t ino,
		     mode_t type, const struct vfs_handle *h);

void state_put_lookup(struct strbuf *b, uint64_t nodeid, uint64_t nlookup);
void state_put_open(struct strbuf *b, uint64_t fh, uint32_t kind, uint32_t flags,
		    const struct vfs_handle *h);
void state_put_init(struct strbuf *b, const void *init, size_t len);

/*
 * Reads @len bytes into @out (freed with state_image_free, also on
 * failure). 0, or -EINVAL (not a state, or damaged: @why says where and
 * how) or -ENOMEM.
 */
int state_image_parse(const void *buf, size_t len, struct state_image *out, struct errbuf *why);
void state_image_free(struct state_image *img);

#endif
