/* state_image: see state_image.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/state_image.h"
#include "util/crc32c.h"

static const char magic[8] = "VFSKST01";

static void put32(struct strbuf *b, uint32_t v) { strbuf_add(b, &v, sizeof(v)); }
static void put64(struct strbuf *b, uint64_t v) { strbuf_add(b, &v, sizeof(v)); }

void state_put_header(struct strbuf *b, uint32_t generation)
{
	size_t at = b->len;
	uint32_t crc;

	strbuf_add(b, magic, sizeof(magic));
	put32(b, generation);
	if (b->failed)
		return;
	crc = crc32c(0, b->buf + at, 12);
	put32(b, crc);
}

/*
 * Appends the record head (its own checksum, so a damaged length is told
 * from an append cut short), then the payload the caller built in @p.
 */
static void put_record(struct strbuf *b, enum state_kind kind, const struct strbuf *p)
{
	uint32_t head[4] = { kind, (uint32_t)p->len };

	if (p->failed) {
		b->failed = true;
		return;
	}
	head[2] = crc32c(0, head, 8);
	head[3] = crc32c(0, p->buf, p->len);
	strbuf_add(b, head, sizeof(head));
	strbuf_add(b, p->buf, p->len);
}

void state_put_limit(struct strbuf *b, uint64_t limit)
{
	struct strbuf p = STRBUF_INIT;

	put64(&p, limit);
	put_record(b, STATE_LIMIT, &p);
	strbuf_release(&p);
}

void state_put_mount(struct strbuf *b, int mnt_id, uint64_t dev, const char *point)
{
	struct strbuf p = STRBUF_INIT;

	put32(&p, (uint32_t)mnt_id);
	put32(&p, 0);
	put64(&p, dev);
	strbuf_add(&p, point, strlen(point));
	put_record(b, STATE_MOUNT, &p);
	strbuf_release(&p);
}

void state_put_inode(struct strbuf *b, uint64_t nodeid, uint64_t dev, uint64_t ino,
		     mode_t type, const struct vfs_handle *h)
{
	struct strbuf p = STRBUF_INIT;

	put64(&p, nodeid);
	put64(&p, dev);
	put64(&p, ino);
	put32(&p, (uint32_t)type);
	put32(&p, (uint32_t)h->mnt_id);
	put32(&p, (uint32_t)h->type);
	put32(&p, h->bytes);
	strbuf_add(&p, h->data, h->bytes);
	put_record(b, STATE_INODE, &p);
	strbuf_release(&p);
}

void state_put_lookup(struct strbuf *b, uint64_t nodeid, uint64_t nlookup)
{
	struct strbuf p = STRBUF_INIT;

	put64(&p, nodeid);
	put64(&p, nlookup);
	put_record(b, STATE_LOOKUP, &p);
	strbuf_release(&p);
}

void state_put_open(struct strbuf *b, uint64_t fh, uint32_t kind, uint32_t flags,
		    const struct vfs_handle *h)
{
	struct strbuf p = STRBUF_INIT;

	put64(&p, fh);
	put32(&p, kind);
	put32(&p, flags);
	put32(&p, (uint32_t)h->mnt_id);
	put32(&p, (uint32_t)h->type);
	put32(&p, h->bytes);
	strbuf_add(&p, h->data, h->bytes);
	put_record(b, STATE_OPEN, &p);
	strbuf_release(&p);
}

void state_put_init(struct strbuf *b, const void *init, size_t len)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_add(&p, init, len);
	put_record(b, STATE_INIT, &p);
	strbuf_release(&p);
}

static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static int grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n & (n - 1)) /* room is doubled at each power of two */
		return 0;
	p = realloc(*arr, (n ? 2 * n : 8) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static int parse_mount(const unsigned char *p, uint32_t len, struct state_image *img)
{
	struct state_mount *m;

	if (len < 16 || len - 16 > STATE_POINT_MAX || memchr(p + 16, '\0', len - 16))
		return -EINVAL;
	if (grow((void **)&img->mounts, img->nmounts, sizeof(*img->mounts)))
		return -ENOMEM;
	m = &img->mounts[img->nmounts];
	m->mnt_id = (int)get32(p);
	m->dev = get64(p + 8);
	m->point = strndup((const char *)p + 16, len - 16);
	if (!m->point)
		return -ENOMEM;
	img->nmounts++;
	return 0;
}

static int parse_inode(const unsigned char *p, uint32_t len, struct state_image *img)
{
	uint32_t type = get32(p + 24), hbytes;
	struct state_inode *i;
	struct vfs_handle *h;

	if (len < 40)
		return -EINVAL;
	hbytes = get32(p + 36);
	if (hbytes > STATE_HANDLE_MAX || len != 40 + hbytes || get64(p) <= 1 || !type ||
	    (type & ~(uint32_t)S_IFMT))
		return -EINVAL;
	if (grow((void **)&img->inodes, img->ninodes, sizeof(*img->inodes)))
		return -ENOMEM;
	h = malloc(sizeof(*h) + hbytes);
	if (!h)
		return -ENOMEM;
	h->mnt_id = (int)get32(p + 28);
	h->type = (int)get32(p + 32);
	h->bytes = hbytes;
	memcpy(h->data, p + 40, hbytes);
	i = &img->inodes[img->ninodes++];
	*i = (struct state_inode){ .nodeid = get64(p), .dev = get64(p + 8), .ino = get64(p + 16),
				   .type = type, .h = h };
	return 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static int parse_lookup(const unsigned char *p, uint32_t len, struct state_image *img)
{
	if (len != 16 || get64(p) <= 1 || !get64(p + 8))
		return -EINVAL;
	if (grow((void **)&img->lookups, img->nlookups, sizeof(*img->lookups)))
		return -ENOMEM;
	img->lookups[img->nlookups++] = (struct state_lookup){ get64(p), get64(p + 8) };
	return 0;
}

static int parse_open(const unsigned char *p, uint32_t len, struct state_image *img)
{
	uint32_t hbytes, kind;
	struct vfs_handle *h;

	if (len < 28)
		return -EINVAL;
	kind = get32(p + 8);
	hbytes = get32(p + 24);
	if (hbytes > STATE_HANDLE_MAX || len != 28 + hbytes || !get64(p) || (kind != 1 && kind != 2))
		return -EINVAL;
	if (grow((void **)&img->opens, img->nopens, sizeof(*img->opens)))
		return -ENOMEM;
	h = malloc(sizeof(*h) + hbytes);
	if (!h)
		return -ENOMEM;
	h->mnt_id = (int)get32(p + 16);
	h->type = (int)get32(p + 20);
	h->bytes = hbytes;
	memcpy(h->data, p + 28, hbytes);
	img->opens[img->nopens++] = (struct state_open){ get64(p), kind, get32(p + 12), h };
	return 0;
}

static int parse_init(const unsigned char *p, uint32_t len, struct state_image *img)
{
	if (!len || len > STATE_INIT_MAX || img->init)
		return -EINVAL;
	img->init = malloc(len);
	if (!img->init)
		return -ENOMEM;
	memcpy(img->init, p, len);
	img->init_len = len;
	return 0;
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = { "?", "limit", "mount", "inode", "lookup", "open", "init" };

	return kind < 7 ? names[kind] : "?";
}

int state_image_parse(const void *buf, size_t len, struct state_image *out, struct errbuf *why)
{
	const unsigned char *b = buf;
	size_t off = STATE_HEADER_SIZE;

	memset(out, 0, sizeof(*out));
	if (len < STATE_HEADER_SIZE || memcmp(b, magic, sizeof(magic)))
		return errbuf_set(why, 0, "not a vfskit state (no VFSKST01 header)"), -EINVAL;
	if (crc32c(0, b, 12) != get32(b + 12))
		return errbuf_set(why, 0, "its header is damaged (checksum)"), -EINVAL;
	out->generation = get32(b + 8);
	while (off < len) {
		size_t left = len - off;
		uint32_t kind, rlen, crc;
		int err;

		if (left < STATE_RECORD_HEAD)
			break; /* torn */
		if (crc32c(0, b + off, 8) != get32(b + off + 8)) {
			if (all_zero(b + off, left))
				break; /* torn: the disk zero-filled what was never written */
			return errbuf_set(why, 0, "record at offset %zu is damaged (head checksum)",
					  off), -EINVAL;
		}
		kind = get32(b + off);
		rlen = get32(b + off + 4);
		if (rlen > left - STATE_RECORD_HEAD)
			break; /* torn: the append did not finish */
		crc = crc32c(0, b + off + STATE_RECORD_HEAD, rlen);
		if (crc != get32(b + off + 12)) {
			if (off + STATE_RECORD_HEAD + rlen == len)
				break; /* the last record, torn on its way to the disk */
			return errbuf_set(why, 0, "record at offset %zu is damaged (checksum)",
					  off), -EINVAL;
		}
		if (kind == STATE_LIMIT && rlen == 8) {
			uint64_t limit = get64(b + off + STATE_RECORD_HEAD);

			if (limit > out->limit)
				out->limit = limit;
			err = 0;
		} else if (kind == STATE_MOUNT) {
			err = parse_mount(b + off + STATE_RECORD_HEAD, rlen, out);
		} else if (kind == STATE_INODE) {
			err = parse_inode(b + off + STATE_RECORD_HEAD, rlen, out);
		} else if (kind == STATE_LOOKUP) {
			err = parse_lookup(b + off + STATE_RECORD_HEAD, rlen, out);
		} else if (kind == STATE_OPEN) {
			err = parse_open(b + off + STATE_RECORD_HEAD, rlen, out);
		} else if (kind == STATE_INIT) {
			err = parse_init(b + off + STATE_RECORD_HEAD, rlen, out);
		} else if (kind == STATE_LIMIT) {
			err = -EINVAL;
		} else {
			return errbuf_set(why, 0,
					  "record at offset %zu has unknown kind %u (a newer vfs-serve's?)",
					  off, kind), -EINVAL;
		}
		if (err == -ENOMEM)
			return errbuf_set(why, err, "cannot hold the state");
		if (err)
			return errbuf_set(why, 0, "%s record at offset %zu is malformed",
					  kind_name(kind), off), err;
		off += STATE_RECORD_HEAD + rlen;
	}
	out->good_len = off < len ? off : len;
	out->torn = len - out->good_len;
	return 0;
}

void state_image_free(struct state_image *img)
{
	for (size_t i = 0; i < img->nmounts; i++)
		free(img->mounts[i].point);
	for (size_t i = 0; i < img->ninodes; i++)
		free(img->inodes[i].h);
	for (size_t i = 0; i < img->nopens; i++)
		free(img->opens[i].h);
	free(img->mounts);
	free(img->inodes);
	free(img->lookups);
	free(img->opens);
	free(img->init);
	memset(img, 0, sizeof(*img));
}
