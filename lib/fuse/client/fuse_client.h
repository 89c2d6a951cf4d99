/*
 * fuse_client: FUSE requests as functions, for a harness that plays the
 * kernel (or a guest's virtio-fs driver) to a server. Each call sends one
 * request, waits for its reply and checks it against the negotiated
 * protocol: the length the reply says is the length that came, the unique
 * is the request's, the error is 0 or a negative errno, a successful reply
 * is as long as its operation's output at that minor. A reply that breaks
 * a rule is -EPROTO with c->why saying which; a server error is its
 * -errno; the transport's -ETIMEDOUT (no reply) and -EPIPE (the server is
 * gone) pass through.
 */
#ifndef VFS_FUSE_CLIENT_H
#define VFS_FUSE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/fuse.h>

#include "fuse/client/fuse_transport.h"
#include "fuse/client/init_profile.h"

#define FUSE_CLIENT_MINOR 38 /* the structs it knows: linux/fuse.h of Debian 12 */

struct fuse_client {
	struct fuse_transport *t;
	uint64_t unique;            /* the last one used */
	uint32_t major, minor;      /* negotiated */
	uint32_t max_write, max_readahead;
	uint64_t flags;             /* the server's INIT flags (flags2 << 32 | flags) */
	const struct fuse_init_profile *profile; /* what INIT offers (default: the kernel's) */
	uint64_t offered;           /* what the last INIT offered */
	uint32_t supp_gid;          /* CREATE_SUPP_GROUP: the group to send, 0 for none */
	int timeout_ms;
	int raw_timeout_ms;         /* how long a raw request waits before it is "no reply" */
	uint32_t uid, gid, pid;     /* in every request header */
	char why[256];              /* what was wrong with the last reply */
	bool gone;                  /* the transport said the server hung up */
};

/* The outcome of a raw request, in the words a scenario uses. */
struct fuse_raw_result {
	enum { RAW_REPLY, RAW_NO_REPLY, RAW_TIMEOUT, RAW_GONE } what;
	int error;        /* RAW_REPLY: the reply's error (0 or -errno) */
	size_t len;       /* bytes of reply */
};

void fuse_client_init(struct fuse_client *c, struct fuse_transport *t, int timeout_ms);
void fuse_client_close(struct fuse_client *c);

/*
 * INIT offering c->profile's flags, at @minor (0: the profile's); the
 * server's answer is kept. From then on CREATE, MKDIR, MKNOD and SYMLINK
 * carry the extensions a kernel adds when the server took SECURITY_CTX
 * (an empty security context) or CREATE_SUPP_GROUP (c->supp_gid, when
 * set). 0 or -errno.
 */
int fc_init(struct fuse_client *c, uint32_t minor);
int fc_destroy(struct fuse_client *c);

int fc_lookup(struct fuse_client *c, uint64_t parent, const char *name, struct fuse_entry_out *e);
/* No reply: 0 when sent (and, on vhost-user, when the chain came back). */
int fc_forget(struct fuse_client *c, uint64_t nodeid, uint64_t nlookup);
int fc_batch_forget(struct fuse_client *c, const struct fuse_forget_one *f, uint32_t n);
int fc_getattr(struct fuse_client *c, uint64_t nodeid, struct fuse_attr_out *a);
int fc_setattr(struct fuse_client *c, uint64_t nodeid, const struct fuse_setattr_in *in,
	       struct fuse_attr_out *a);
int fc_open(struct fuse_client *c, uint64_t nodeid, uint32_t flags, uint64_t *fh, bool dir);
int fc_release(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint32_t flags, bool dir);
/* @buf gets up to @size bytes; *@n how many came. */
int fc_read(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t size,
	    void *buf, size_t *n);
int fc_write(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, const void *data,
	     uint32_t size, uint32_t *written);
int fc_create(struct fuse_client *c, uint64_t parent, const char *name, uint32_t mode,
	      uint32_t flags, struct fuse_entry_out *e, uint64_t *fh);
int fc_mkdir(struct fuse_client *c, uint64_t parent, const char *name, uint32_t mode,
	     struct fuse_entry_out *e);
int fc_unlink(struct fuse_client *c, uint64_t parent, const char *name);
int fc_rmdir(struct fuse_client *c, uint64_t parent, const char *name);
/* RENAME when @flags is 0, RENAME2 otherwise. */
int fc_rename(struct fuse_client *c, uint64_t parent, const char *name, uint64_t newparent,
	      const char *newname, uint32_t flags);
int fc_link(struct fuse_client *c, uint64_t nodeid, uint64_t newparent, const char *newname,
	    struct fuse_entry_out *e);
int fc_symlink(struct fuse_client *c, uint64_t parent, const char *name, const char *target,
	       struct fuse_entry_out *e);
/* The link's text, NUL-terminated, into @buf of @len bytes. */
int fc_readlink(struct fuse_client *c, uint64_t nodeid, char *buf, size_t len);
/* READDIR (or READDIRPLUS) of up to @size bytes at @off; the raw records into @buf. */
int fc_readdir(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t size,
	       bool plus, void *buf, size_t *n);
int fc_statfs(struct fuse_client *c, uint64_t nodeid, struct fuse_statfs_out *s);
/* STATX (7.39) of @nodeid for STATX_* @mask; @fh when not 0 (FUSE_GETATTR_FH). */
int fc_statx(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint32_t mask,
	     struct vfs_fuse_statx_out *out);
/* TMPFILE (7.37) in directory @parent: an unnamed file, open, as CREATE replies. */
int fc_tmpfile(struct fuse_client *c, uint64_t parent, uint32_t mode, uint32_t flags,
	       struct fuse_entry_out *e, uint64_t *fh);
/*
 * COPY_FILE_RANGE (@wide false: fuse_write_out, 32-bit count) or
 * COPY_FILE_RANGE_64 (7.45); the bytes copied into *@copied.
 */
int fc_copy_file_range(struct fuse_client *c, const struct fuse_copy_file_range_in *in,
		       uint64_t nodeid_in, bool wide, uint64_t *copied);
/* vfskit's WATCH (or UNWATCH) of directory @nodeid for inotify @mask (notify/notify_proto.h). */
int fc_watch(struct fuse_client *c, uint64_t nodeid, uint32_t mask, bool unwatch);

/*
 * Sends @len raw bytes (any header, any length) on @queue, with @fault in
 * the chain, and says what came back within the timeout. The unique in
 * the bytes is used as is. 0, or -errno when it could not be sent.
 */
int fc_raw(struct fuse_client *c, enum fuse_queue queue, const void *req, size_t len,
	   size_t reply_max, enum fuse_chain_fault fault, struct fuse_raw_result *res);

/* A fresh unique for a raw request's header. */
uint64_t fc_next_unique(struct fuse_client *c);

#endif
