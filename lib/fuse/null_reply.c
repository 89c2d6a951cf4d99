/* null_reply: answers from memory (see the header). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/fuse.h>

#include "fuse/null_reply.h"

#define OUT sizeof(struct fuse_out_header)

static void attr_of(uint64_t nodeid, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = nodeid;
	a->mode = nodeid == 1 ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = nodeid == 1 ? 2 : 1;
	a->size = nodeid == 1 ? 0 : 1u << 30;
	a->blksize = 4096;
}

static size_t header(void *reply, uint64_t unique, int error, size_t len)
{
	struct fuse_out_header o = { .len = (uint32_t)len, .error = error, .unique = unique };

	memcpy(reply, &o, sizeof(o));
	return len;
}

/* The header and @n bytes of @body, or EIO when they do not fit. */
static size_t body(void *reply, size_t max, uint64_t unique, const void *b, size_t n)
{
	if (OUT + n > max)
		return max >= OUT ? header(reply, unique, -EIO, OUT) : 0;
	memcpy((char *)reply + OUT, b, n);
	return header(reply, unique, 0, OUT + n);
}

size_t null_reply(const void *req, size_t len, void *reply, size_t max, size_t *data_at,
		  size_t *data_len)
{
	struct fuse_in_header h;
	const char *arg = (const char *)req + sizeof(h);
	size_t alen;

	*data_at = *data_len = 0;
	if (len < sizeof(h) || max < OUT)
		return 0;
	memcpy(&h, req, sizeof(h));
	alen = len - sizeof(h);
	switch (h.opcode) {
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
		return 0;
	case FUSE_INIT: {
		struct fuse_init_in in;
		struct fuse_init_out out = { .major = FUSE_KERNEL_VERSION,
					     .minor = FUSE_KERNEL_MINOR_VERSION,
					     .max_readahead = 128 << 10, .max_write = 1 << 20,
					     .max_pages = 256 };

		if (alen < 8)
			break;
		memset(&in, 0, sizeof(in));
		memcpy(&in, arg, alen < sizeof(in) ? alen : sizeof(in));
		if (in.minor < out.minor)
			out.minor = in.minor;
		return body(reply, max, h.unique, &out, sizeof(out));
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out out = { 0 };

		attr_of(h.nodeid, &out.attr);
		return body(reply, max, h.unique, &out, sizeof(out));
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out out = { .nodeid = 2 };

		if (!alen || arg[alen - 1] != '\0')
			break;
		attr_of(out.nodeid, &out.attr);
		return body(reply, max, h.unique, &out, sizeof(out));
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		struct fuse_open_out out = { .fh = 1 };

		return body(reply, max, h.unique, &out, sizeof(out));
	}
	case FUSE_READ: {
		struct fuse_read_in in;

		if (alen < sizeof(in))
			break;
		memcpy(&in, arg, sizeof(in));
		if (OUT + in.size > max)
			return header(reply, h.unique, -EIO, OUT);
		*data_at = OUT;
		*data_len = in.size;
		return header(reply, h.unique, 0, OUT + in.size);
	}
	case FUSE_WRITE: {
		struct fuse_write_in in;
		struct fuse_write_out out = { 0 };

		if (alen < sizeof(in))
			break;
		memcpy(&in, arg, sizeof(in));
		if (alen - sizeof(in) < in.size)
			break;
		out.size = in.size;
		return body(reply, max, h.unique, &out, sizeof(out));
	}
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_DESTROY:
		return header(reply, h.unique, 0, OUT);
	default:
		return header(reply, h.unique, -ENOSYS, OUT);
	}
	return header(reply, h.unique, -EINVAL, OUT);
}
