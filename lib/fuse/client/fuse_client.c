/*
 * fuse_client: one request in flight at a time (a scenario wants to know
 * which request did what); fuse_pipeline keeps several for the
 * benchmarks. Replies are checked before anything is taken from them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "fuse/client/fuse_client.h"
#include "fuse/client/fuse_client_parts.h"
#include "notify/notify_proto.h"

#define OUT_HDR sizeof(struct fuse_out_header)
#define SMALL 4096

void fuse_client_init(struct fuse_client *c, struct fuse_transport *t, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->timeout_ms = timeout_ms;
	c->raw_timeout_ms = timeout_ms < 1000 ? timeout_ms : 1000;
	c->major = FUSE_KERNEL_VERSION;
	c->minor = FUSE_CLIENT_MINOR;
	c->profile = fuse_init_profile_default();
}

void fuse_client_close(struct fuse_client *c)
{
	if (c->t)
		c->t->close(c->t);
	c->t = NULL;
}

uint64_t fc_next_unique(struct fuse_client *c)
{
	return ++c->unique;
}

static int proto(struct fuse_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int proto(struct fuse_client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

#define EXT_MAX 24

/*
 * The extensions a kernel (7.38 on) appends to a request that makes an
 * inode (TMPFILE too: fuse_create_open serves both), after its arguments
 * (fs/fuse/dir.c, get_create_ext): a security
 * context header, empty when no LSM labels the file, once the server took
 * SECURITY_CTX; the caller's group when the server took CREATE_SUPP_GROUP
 * and one is set. Their length, a multiple of 8, into @ext.
 */
static size_t create_ext(const struct fuse_client *c, uint32_t opcode, char ext[EXT_MAX])
{
	uint64_t took = c->flags & c->offered;
	size_t n = 0;

	if (c->minor < 38 || (opcode != FUSE_CREATE && opcode != FUSE_MKDIR &&
			      opcode != FUSE_MKNOD && opcode != FUSE_SYMLINK && opcode != FUSE_TMPFILE))
		return 0;
	if (took & FUSE_SECURITY_CTX) {
		struct fuse_secctx_header h = { .size = sizeof(h), .nr_secctx = 0 };

		memcpy(ext + n, &h, sizeof(h));
		n += sizeof(h);
	}
	if ((took & FUSE_CREATE_SUPP_GROUP) && c->supp_gid) {
		struct fuse_ext_header h = { .size = sizeof(h) + 8, .type = VFS_FUSE_EXT_GROUPS };
		uint32_t groups[2] = { 1, c->supp_gid }; /* nr_groups, then the group */

		memcpy(ext + n, &h, sizeof(h));
		memcpy(ext + n + sizeof(h), groups, sizeof(groups));
		n += sizeof(h) + sizeof(groups);
	}
	return n;
}

void *fc_build(struct fuse_client *c, uint32_t opcode, uint64_t nodeid, const struct iovec *in,
	       int nin, char *small, size_t small_len, size_t *len)
{
	struct fuse_in_header h = { .opcode = opcode, .unique = fc_next_unique(c), .nodeid = nodeid,
				    .uid = c->uid, .gid = c->gid, .pid = c->pid };
	char ext[EXT_MAX];
	size_t extlen = create_ext(c, opcode, ext), n = sizeof(h) + extlen;
	char *buf, *p;

	h.total_extlen = (uint16_t)(extlen / 8);
	for (int i = 0; i < nin; i++)
		n += in[i].iov_len;
	buf = n <= small_len ? small : malloc(n);
	if (!buf)
		return NULL;
	h.len = (uint32_t)n;
	memcpy(buf, &h, sizeof(h));
	p = buf + sizeof(h);
	for (int i = 0; i < nin; i++) {
		memcpy(p, in[i].iov_base, in[i].iov_len);
		p += in[i].iov_len;
	}
	memcpy(p, ext, extlen);
	*len = n;
	return buf;
}

static void *build(struct fuse_client *c, uint32_t opcode, uint64_t nodeid, const struct iovec *in,
		   int nin, char *small, size_t *len)
{
	return fc_build(c, opcode, nodeid, in, nin, small, SMALL, len);
}

int fc_check_reply(struct fuse_client *c, uint64_t unique, const char *r, size_t len,
		       size_t outmin, size_t outmax, bool empty_ok)
{
	struct fuse_out_header o;

	if (!len && empty_ok)
		return 0;
	if (!len)
		return proto(c, "the request came back without a reply");
	if (len < OUT_HDR)
		return proto(c, "a reply of %zu bytes, shorter than its header", len);
	memcpy(&o, r, sizeof(o));
	if (o.len != len)
		return proto(c, "the reply says %u bytes, %zu came", o.len, len);
	if (o.unique != unique)
		return proto(c, "the reply names unique %llu, the request was %llu",
			     (unsigned long long)o.unique, (unsigned long long)unique);
	if (o.error > 0 || o.error <= -4096)
		return proto(c, "error %d is not 0 or a negative errno", o.error);
	if (o.error && len != OUT_HDR)
		return proto(c, "an error reply (%d) with %zu bytes of data", o.error, len - OUT_HDR);
	if (o.error)
		return o.error;
	if (len - OUT_HDR < outmin || len - OUT_HDR > outmax)
		return proto(c, "%zu bytes of reply data, %zu%s%zu expected", len - OUT_HDR, outmin,
			     outmin == outmax ? "" : " to ", outmin == outmax ? 0 : outmax);
	return 0;
}

/*
 * One request and its reply: @out gets the reply's data (at least
 * @outmin, at most @outmax bytes; *@outlen how many). @queue hiprio only
 * for the requests that belong there.
 */
static int call_ex(struct fuse_client *c, enum fuse_queue queue, uint32_t opcode,
		   uint64_t nodeid, const struct iovec *in, int nin, void *out, size_t outmin,
		   size_t outmax, size_t *outlen, bool empty_ok)
{
	char small[SMALL], rsmall[SMALL], *req, *reply;
	size_t len, rlen = 0;
	uint64_t unique, ticket;
	int r;

	c->why[0] = '\0';
	if (!c->t)
		return -EPIPE; /* hung up on purpose */
	req = build(c, opcode, nodeid, in, nin, small, &len);
	if (!req)
		return -ENOMEM;
	unique = c->unique;
	reply = OUT_HDR + outmax <= SMALL ? rsmall : malloc(OUT_HDR + outmax);
	if (!reply) {
		r = -ENOMEM;
		goto out;
	}
	r = c->t->send(c->t, queue, req, len, OUT_HDR + outmax, unique, CHAIN_OK);
	if (!r)
		r = c->t->recv(c->t, &ticket, reply, OUT_HDR + outmax, &rlen, c->timeout_ms);
	/* Late completions of requests given up on (a raw request that timed out). */
	while (!r && ticket < unique)
		r = c->t->recv(c->t, &ticket, reply, OUT_HDR + outmax, &rlen, c->timeout_ms);
	if (!r && ticket != unique)
		r = proto(c, "a completion for %llu while waiting for %llu",
			  (unsigned long long)ticket, (unsigned long long)unique);
	if (!r)
		r = fc_check_reply(c, unique, reply, rlen, outmin, outmax, empty_ok);
	if (!r && rlen) {
		memcpy(out, reply + OUT_HDR, rlen - OUT_HDR);
		if (outlen)
			*outlen = rlen - OUT_HDR;
	}
	if (reply != rsmall)
		free(reply);
out:
	if (req != small)
		free(req);
	c->gone |= r == -EPIPE;
	return r;
}

static int call(struct fuse_client *c, enum fuse_queue queue, uint32_t opcode, uint64_t nodeid,
		const struct iovec *in, int nin, void *out, size_t outmin, size_t outmax,
		size_t *outlen)
{
	return call_ex(c, queue, opcode, nodeid, in, nin, out, outmin, outmax, outlen, false);
}

/* A request without a reply: sent, and on vhost-user its chain waited for. */
static int call_noreply(struct fuse_client *c, uint32_t opcode, uint64_t nodeid,
			const struct iovec *in, int nin)
{
	char small[SMALL], *req, junk[OUT_HDR];
	size_t len, rlen;
	uint64_t ticket;
	int r;

	if (!c->t)
		return -EPIPE;
	req = build(c, opcode, nodeid, in, nin, small, &len);
	if (!req)
		return -ENOMEM;
	r = c->t->send(c->t, FUSE_QUEUE_HIPRIO, req, len, 0, c->unique, CHAIN_OK);
	if (!r && c->t->noreply_completes) {
		r = c->t->recv(c->t, &ticket, junk, sizeof(junk), &rlen, c->timeout_ms);
		if (!r && ticket != c->unique)
			r = proto(c, "a completion for %llu while waiting for %llu",
				  (unsigned long long)ticket, (unsigned long long)c->unique);
	}
	if (req != small)
		free(req);
	c->gone |= r == -EPIPE;
	return r;
}

#define IOV(p, n) ((struct iovec){ .iov_base = (void *)(p), .iov_len = (n) })
#define NAME(s) IOV((s), strlen(s) + 1)

int fc_init(struct fuse_client *c, uint32_t minor)
{
	const struct fuse_init_profile *p = c->profile;
	struct fuse_init_in in = { .major = FUSE_KERNEL_VERSION,
				   .minor = minor ? minor : p->minor,
				   .max_readahead = 128 << 10,
				   .flags = (uint32_t)p->flags,
				   .flags2 = (uint32_t)(p->flags >> 32) };
	struct fuse_init_out out = { 0 };
	struct iovec v = IOV(&in, sizeof(in));
	size_t n = 0;
	int r = call(c, FUSE_QUEUE_REQUEST, FUSE_INIT, 0, &v, 1, &out, FUSE_COMPAT_22_INIT_OUT_SIZE,
		     sizeof(out), &n);

	if (r)
		return r;
	if (out.major != FUSE_KERNEL_VERSION)
		return proto(c, "INIT: major %u", out.major);
	c->major = out.major;
	c->minor = out.minor < in.minor ? out.minor : in.minor;
	c->max_write = out.max_write;
	c->max_readahead = out.max_readahead;
	c->flags = out.flags | ((out.flags & FUSE_INIT_EXT) ? (uint64_t)out.flags2 << 32 : 0);
	c->offered = p->flags;
	return 0;
}

/*
 * DESTROY's chain may come back with nothing written (the Rust virtiofsd
 * never replies to it): Linux's virtio-fs driver completes a request when
 * its chain returns without reading the used length
 * (virtio_fs_requests_done_work), its out header is zeroed, so success,
 * and fuse_send_destroy ignores the result anyway. A reply, when there
 * is one, is checked as any other.
 */
int fc_destroy(struct fuse_client *c)
{
	char none;

	return call_ex(c, FUSE_QUEUE_REQUEST, FUSE_DESTROY, 0, NULL, 0, &none, 0, 0, NULL, true);
}

/* The entry reply's size at the negotiated minor. */
static size_t entry_size(const struct fuse_client *c)
{
	return c->minor < 9 ? FUSE_COMPAT_ENTRY_OUT_SIZE : sizeof(struct fuse_entry_out);
}

static size_t attr_size(const struct fuse_client *c)
{
	return c->minor < 9 ? FUSE_COMPAT_ATTR_OUT_SIZE : sizeof(struct fuse_attr_out);
}

static int entry_call(struct fuse_client *c, uint32_t opcode, uint64_t nodeid,
		      const struct iovec *in, int nin, struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	return call(c, FUSE_QUEUE_REQUEST, opcode, nodeid, in, nin, e, entry_size(c), sizeof(*e),
		    NULL);
}

int fc_lookup(struct fuse_client *c, uint64_t parent, const char *name, struct fuse_entry_out *e)
{
	struct iovec v = NAME(name);
	int r = entry_call(c, FUSE_LOOKUP, parent, &v, 1, e);

	/* Nodeid 0 is a negative entry (fuse_lookup_name): ENOENT, as a kernel takes it. */
	return !r && !e->nodeid ? -ENOENT : r;
}

int fc_forget(struct fuse_client *c, uint64_t nodeid, uint64_t nlookup)
{
	struct fuse_forget_in in = { .nlookup = nlookup };
	struct iovec v = IOV(&in, sizeof(in));

	return call_noreply(c, FUSE_FORGET, nodeid, &v, 1);
}

int fc_batch_forget(struct fuse_client *c, const struct fuse_forget_one *f, uint32_t n)
{
	struct fuse_batch_forget_in in = { .count = n };
	struct iovec v[2] = { IOV(&in, sizeof(in)), IOV(f, n * sizeof(*f)) };

	return call_noreply(c, FUSE_BATCH_FORGET, 0, v, 2);
}

int fc_getattr(struct fuse_client *c, uint64_t nodeid, struct fuse_attr_out *a)
{
	struct fuse_getattr_in in = { 0 };
	struct iovec v = IOV(&in, sizeof(in));

	memset(a, 0, sizeof(*a));
	return call(c, FUSE_QUEUE_REQUEST, FUSE_GETATTR, nodeid, &v, 1, a, attr_size(c),
		    sizeof(*a), NULL);
}

int fc_setattr(struct fuse_client *c, uint64_t nodeid, const struct fuse_setattr_in *in,
	       struct fuse_attr_out *a)
{
	struct iovec v = IOV(in, sizeof(*in));

	memset(a, 0, sizeof(*a));
	return call(c, FUSE_QUEUE_REQUEST, FUSE_SETATTR, nodeid, &v, 1, a, attr_size(c),
		    sizeof(*a), NULL);
}

int fc_open(struct fuse_client *c, uint64_t nodeid, uint32_t flags, uint64_t *fh, bool dir)
{
	struct fuse_open_in in = { .flags = flags };
	struct fuse_open_out out = { 0 };
	struct iovec v = IOV(&in, sizeof(in));
	int r = call(c, FUSE_QUEUE_REQUEST, dir ? FUSE_OPENDIR : FUSE_OPEN, nodeid, &v, 1, &out,
		     sizeof(out), sizeof(out), NULL);

	if (!r)
		*fh = out.fh;
	return r;
}

int fc_release(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint32_t flags, bool dir)
{
	struct fuse_release_in in = { .fh = fh, .flags = flags };
	struct iovec v = IOV(&in, sizeof(in));
	char none;

	return call(c, FUSE_QUEUE_REQUEST, dir ? FUSE_RELEASEDIR : FUSE_RELEASE, nodeid, &v, 1,
		    &none, 0, 0, NULL);
}

int fc_read(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t size,
	    void *buf, size_t *n)
{
	struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };
	struct iovec v = IOV(&in, sizeof(in));

	*n = 0;
	return call(c, FUSE_QUEUE_REQUEST, FUSE_READ, nodeid, &v, 1, buf, 0, size, n);
}

int fc_write(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, const void *data,
	     uint32_t size, uint32_t *written)
{
	struct fuse_write_in in = { .fh = fh, .offset = off, .size = size };
	struct fuse_write_out out = { 0 };
	struct iovec v[2] = { IOV(&in, sizeof(in)), IOV(data, size) };
	int r = call(c, FUSE_QUEUE_REQUEST, FUSE_WRITE, nodeid, v, 2, &out, sizeof(out),
		     sizeof(out), NULL);

	if (!r && out.size > size)
		r = proto(c, "WRITE of %u bytes answered %u written", size, out.size);
	if (!r)
		*written = out.size;
	return r;
}

int fc_create(struct fuse_client *c, uint64_t parent, const char *name, uint32_t mode,
	      uint32_t flags, struct fuse_entry_out *e, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = flags, .mode = mode, .umask = 022 };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out = { 0 };
	struct iovec v[2] = { IOV(&in, sizeof(in)), NAME(name) };
	int r = call(c, FUSE_QUEUE_REQUEST, FUSE_CREATE, parent, v, 2, &out, sizeof(out),
		     sizeof(out), NULL);

	if (!r) {
		*e = out.e;
		*fh = out.o.fh;
	}
	return r;
}

int fc_mkdir(struct fuse_client *c, uint64_t parent, const char *name, uint32_t mode,
	     struct fuse_entry_out *e)
{
	struct fuse_mkdir_in in = { .mode = mode, .umask = 022 };
	struct iovec v[2] = { IOV(&in, sizeof(in)), NAME(name) };

	return entry_call(c, FUSE_MKDIR, parent, v, 2, e);
}

static int name_call(struct fuse_client *c, uint32_t opcode, uint64_t parent, const char *name)
{
	struct iovec v = NAME(name);
	char none;

	return call(c, FUSE_QUEUE_REQUEST, opcode, parent, &v, 1, &none, 0, 0, NULL);
}

int fc_unlink(struct fuse_client *c, uint64_t parent, const char *name)
{
	return name_call(c, FUSE_UNLINK, parent, name);
}

int fc_rmdir(struct fuse_client *c, uint64_t parent, const char *name)
{
	return name_call(c, FUSE_RMDIR, parent, name);
}

int fc_rename(struct fuse_client *c, uint64_t parent, const char *name, uint64_t newparent,
	      const char *newname, uint32_t flags)
{
	struct fuse_rename2_in in2 = { .newdir = newparent, .flags = flags };
	struct fuse_rename_in in = { .newdir = newparent };
	struct iovec v[3] = { flags ? IOV(&in2, sizeof(in2)) : IOV(&in, sizeof(in)), NAME(name),
			      NAME(newname) };
	char none;

	return call(c, FUSE_QUEUE_REQUEST, flags ? FUSE_RENAME2 : FUSE_RENAME, parent, v, 3, &none,
		    0, 0, NULL);
}

int fc_link(struct fuse_client *c, uint64_t nodeid, uint64_t newparent, const char *newname,
	    struct fuse_entry_out *e)
{
	struct fuse_link_in in = { .oldnodeid = nodeid };
	struct iovec v[2] = { IOV(&in, sizeof(in)), NAME(newname) };

	return entry_call(c, FUSE_LINK, newparent, v, 2, e);
}

int fc_symlink(struct fuse_client *c, uint64_t parent, const char *name, const char *target,
	       struct fuse_entry_out *e)
{
	struct iovec v[2] = { NAME(name), NAME(target) };

	return entry_call(c, FUSE_SYMLINK, parent, v, 2, e);
}

int fc_readlink(struct fuse_client *c, uint64_t nodeid, char *buf, size_t len)
{
	size_t n = 0;
	int r;

	if (!len)
		return -EINVAL;
	r = call(c, FUSE_QUEUE_REQUEST, FUSE_READLINK, nodeid, NULL, 0, buf, 1, len - 1, &n);
	buf[r ? 0 : n] = '\0';
	return r;
}

int fc_readdir(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint64_t off, uint32_t size,
	       bool plus, void *buf, size_t *n)
{
	struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };
	struct iovec v = IOV(&in, sizeof(in));

	*n = 0;
	return call(c, FUSE_QUEUE_REQUEST, plus ? FUSE_READDIRPLUS : FUSE_READDIR, nodeid, &v, 1,
		    buf, 0, size, n);
}

int fc_statfs(struct fuse_client *c, uint64_t nodeid, struct fuse_statfs_out *s)
{
	memset(s, 0, sizeof(*s));
	return call(c, FUSE_QUEUE_REQUEST, FUSE_STATFS, nodeid, NULL, 0, s,
		    c->minor < 4 ? FUSE_COMPAT_STATFS_SIZE : sizeof(*s), sizeof(*s), NULL);
}

int fc_statx(struct fuse_client *c, uint64_t nodeid, uint64_t fh, uint32_t mask,
	     struct vfs_fuse_statx_out *out)
{
	struct vfs_fuse_statx_in in = { .getattr_flags = fh ? FUSE_GETATTR_FH : 0, .fh = fh,
					 .sx_mask = mask };
	struct iovec v = IOV(&in, sizeof(in));

	memset(out, 0, sizeof(*out));
	return call(c, FUSE_QUEUE_REQUEST, VFS_FUSE_STATX, nodeid, &v, 1, out, sizeof(*out),
		    sizeof(*out), NULL);
}

int fc_tmpfile(struct fuse_client *c, uint64_t parent, uint32_t mode, uint32_t flags,
	       struct fuse_entry_out *e, uint64_t *fh)
{
	struct fuse_create_in in = { .flags = flags, .mode = mode, .umask = 022 };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out = { 0 };
	/* The kernel's placeholder dentry for an O_TMPFILE open is named "/" (vfs_tmpfile). */
	struct iovec v[2] = { IOV(&in, sizeof(in)), NAME("/") };
	int r = call(c, FUSE_QUEUE_REQUEST, FUSE_TMPFILE, parent, v, 2, &out, sizeof(out),
		     sizeof(out), NULL);

	if (!r) {
		*e = out.e;
		*fh = out.o.fh;
	}
	return r;
}

int fc_copy_file_range(struct fuse_client *c, const struct fuse_copy_file_range_in *in,
		       uint64_t nodeid_in, bool wide, uint64_t *copied)
{
	struct iovec v = IOV(in, sizeof(*in));
	struct vfs_fuse_copy_file_range_out out64 = { 0 };
	struct fuse_write_out out = { 0 };
	int r;

	if (wide)
		r = call(c, FUSE_QUEUE_REQUEST, VFS_FUSE_COPY_FILE_RANGE_64, nodeid_in, &v, 1, &out64,
			 sizeof(out64), sizeof(out64), NULL);
	else
		r = call(c, FUSE_QUEUE_REQUEST, FUSE_COPY_FILE_RANGE, nodeid_in, &v, 1, &out,
			 sizeof(out), sizeof(out), NULL);
	if (!r)
		*copied = wide ? out64.bytes_copied : out.size;
	return r;
}

int fc_watch(struct fuse_client *c, uint64_t nodeid, uint32_t mask, bool unwatch)
{
	struct vfskit_watch_in in = { .version = VFSKIT_NOTIFY_VERSION, .mask = mask };
	struct iovec v = IOV(&in, sizeof(in));
	char none;

	return call(c, FUSE_QUEUE_REQUEST, unwatch ? VFSKIT_OP_UNWATCH : VFSKIT_OP_WATCH, nodeid,
		    &v, unwatch ? 0 : 1, &none, 0, 0, NULL);
}

int fc_raw(struct fuse_client *c, enum fuse_queue queue, const void *req, size_t len,
	   size_t reply_max, enum fuse_chain_fault fault, struct fuse_raw_result *res)
{
	char small[SMALL], *reply = reply_max <= SMALL ? small : malloc(reply_max);
	uint64_t ticket;
	size_t rlen = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if (!reply)
		return -ENOMEM;
	if (!c->t) {
		if (reply != small)
			free(reply);
		res->what = RAW_GONE;
		return 0;
	}
	r = c->t->send(c->t, queue, req, len, reply_max, c->unique, fault);
	if (r) {
		if (reply != small)
			free(reply);
		if (r != -EPIPE)
			return r;
		res->what = RAW_GONE;
		c->gone = true;
		return 0;
	}
	if (!reply_max && !c->t->noreply_completes) {
		/* Nothing will come back to wait for. */
		res->what = RAW_NO_REPLY;
		if (reply != small)
			free(reply);
		return 0;
	}
	r = c->t->recv(c->t, &ticket, reply, reply_max, &rlen, c->raw_timeout_ms);
	if (r == -ETIMEDOUT) {
		res->what = RAW_TIMEOUT;
	} else if (r == -EPIPE) {
		res->what = RAW_GONE;
	} else if (!r && rlen < OUT_HDR) {
		res->what = RAW_NO_REPLY;
		res->len = rlen;
	} else if (!r) {
		struct fuse_out_header o;

		memcpy(&o, reply, sizeof(o));
		res->what = RAW_REPLY;
		res->error = o.error;
		res->len = rlen;
	}
	if (reply != small)
		free(reply);
	c->gone |= res->what == RAW_GONE;
	return r == -ETIMEDOUT || r == -EPIPE ? 0 : r;
}
