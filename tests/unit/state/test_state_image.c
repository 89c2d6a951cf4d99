/*
 * state_image: what a crash or a damaged disk can leave of a --state
 * file either parses to records that were really written, or is refused
 * with a reason; never a nodeid mapped to a handle it was not given.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state/state_image.h"
#include "util/crc32c.h"
#include "../unit.h"

static struct vfs_handle *handle(int mnt_id, unsigned char seed, uint32_t bytes)
{
	struct vfs_handle *h = malloc(sizeof(*h) + bytes);

	h->mnt_id = mnt_id;
	h->type = 1;
	h->bytes = bytes;
	for (uint32_t i = 0; i < bytes; i++)
		h->data[i] = (unsigned char)(seed + i);
	return h;
}

#define NINODES 3

/* An image of a header, a limit, a mount and NINODES inodes; the originals in @h. */
static void sample(struct strbuf *b, struct vfs_handle *h[NINODES])
{
	strbuf_init(b);
	state_put_header(b, 0xabcd1234);
	state_put_limit(b, 4242);
	state_put_mount(b, 77, 0x801, "/");
	for (int i = 0; i < NINODES; i++) {
		h[i] = handle(77, (unsigned char)(i * 16), 8 + 4 * (uint32_t)i);
		state_put_inode(b, 100 + (uint64_t)i, 0x801, 5000 + (uint64_t)i,
				i ? S_IFREG : S_IFDIR, h[i]);
	}
	ck_assert(!b->failed);
}

static void free_sample(struct strbuf *b, struct vfs_handle *h[NINODES])
{
	for (int i = 0; i < NINODES; i++)
		free(h[i]);
	strbuf_release(b);
}

/* Every inode parsed is the one written at that place. */
static void assert_authentic(const struct state_image *img, struct vfs_handle *h[NINODES])
{
	ck_assert_uint_le(img->ninodes, NINODES);
	for (size_t i = 0; i < img->ninodes; i++) {
		const struct state_inode *si = &img->inodes[i];

		ck_assert_uint_eq(si->nodeid, 100 + i);
		ck_assert_uint_eq(si->ino, 5000 + i);
		ck_assert_uint_eq(si->type, i ? S_IFREG : S_IFDIR);
		ck_assert_uint_eq(si->h->bytes, h[i]->bytes);
		ck_assert_int_eq(si->h->mnt_id, 77);
		ck_assert(!memcmp(si->h->data, h[i]->data, h[i]->bytes));
	}
}

START_TEST(round_trip)
{
	struct vfs_handle *h[NINODES];
	struct state_image img;
	struct errbuf why;
	struct strbuf b;

	sample(&b, h);
	ck_assert_int_eq(state_image_parse(b.buf, b.len, &img, &why), 0);
	ck_assert_uint_eq(img.generation, 0xabcd1234);
	ck_assert_uint_eq(img.limit, 4242);
	ck_assert_uint_eq(img.nmounts, 1);
	ck_assert_int_eq(img.mounts[0].mnt_id, 77);
	ck_assert_uint_eq(img.mounts[0].dev, 0x801);
	ck_assert_str_eq(img.mounts[0].point, "/");
	ck_assert_uint_eq(img.ninodes, NINODES);
	ck_assert_uint_eq(img.torn, 0);
	assert_authentic(&img, h);
	state_image_free(&img);
	free_sample(&b, h);
}
END_TEST

/* A crash after any byte of an append: whole records load, the rest is torn. */
START_TEST(every_prefix_loads_or_is_refused)
{
	struct vfs_handle *h[NINODES];
	struct strbuf b;
	size_t loaded = 0;

	sample(&b, h);
	for (size_t len = 0; len <= b.len; len++) {
		struct state_image img;
		struct errbuf why;
		int err = state_image_parse(b.buf, len, &img, &why);

		if (len < STATE_HEADER_SIZE) {
			ck_assert_int_eq(err, -EINVAL);
		} else {
			ck_assert_int_eq(err, 0);
			ck_assert_uint_eq(img.good_len + img.torn, len);
			assert_authentic(&img, h);
			loaded++;
		}
		state_image_free(&img);
	}
	ck_assert_uint_eq(loaded, b.len - STATE_HEADER_SIZE + 1);
	free_sample(&b, h);
}
END_TEST

/* Any bit flipped anywhere: refused, or the damaged record dropped as torn. */
START_TEST(every_bit_flip_is_caught)
{
	struct vfs_handle *h[NINODES];
	struct strbuf b;
	size_t refused = 0;

	sample(&b, h);
	for (size_t at = 0; at < b.len; at++)
		for (int bit = 0; bit < 8; bit++) {
			struct state_image img;
			struct errbuf why;
			int err;

			b.buf[at] ^= (char)(1 << bit);
			err = state_image_parse(b.buf, b.len, &img, &why);
			b.buf[at] ^= (char)(1 << bit);
			if (err) {
				ck_assert_int_eq(err, -EINVAL);
				ck_assert(why.msg[0]);
				refused++;
			} else {
				assert_authentic(&img, h);
				/* Only the last record can go, and then as torn. */
				ck_assert_uint_ge(img.ninodes, NINODES - 1);
				if (img.ninodes < NINODES)
					ck_assert_uint_gt(img.torn, 0);
			}
			state_image_free(&img);
		}
	ck_assert_uint_gt(refused, 0);
	free_sample(&b, h);
}
END_TEST

START_TEST(unknown_and_malformed_records_are_refused)
{
	struct vfs_handle *h = handle(3, 0, 8);
	struct state_image img;
	struct errbuf why;
	struct strbuf b = STRBUF_INIT;

	state_put_header(&b, 1);
	state_put_inode(&b, 1, 0, 0, S_IFREG, h); /* nodeid 1 is the root's, never saved */
	state_put_limit(&b, 9);
	ck_assert_int_eq(state_image_parse(b.buf, b.len, &img, &why), -EINVAL);
	ck_assert_msg(strstr(why.msg, "inode record at offset 16 is malformed"), "%s", why.msg);
	state_image_free(&img);

	strbuf_reset(&b);
	state_put_header(&b, 1);
	{
		/* A whole record, its checksum right, of a kind this build does not know. */
		uint32_t head[4] = { 9, 8 };
		uint64_t v = 9;

		head[2] = crc32c(0, head, 8);
		head[3] = crc32c(0, &v, 8);
		strbuf_add(&b, head, sizeof(head));
		strbuf_add(&b, &v, 8);
	}
	state_put_limit(&b, 10);
	ck_assert_int_eq(state_image_parse(b.buf, b.len, &img, &why), -EINVAL);
	ck_assert_msg(strstr(why.msg, "unknown kind 9"), "%s", why.msg);
	state_image_free(&img);

	ck_assert_int_eq(state_image_parse("VFSKST02xxxxxxxx", 16, &img, &why), -EINVAL);
	ck_assert_msg(strstr(why.msg, "not a vfskit state"), "%s", why.msg);
	state_image_free(&img);
	strbuf_release(&b);
	free(h);
}
END_TEST

UNIT_SUITE(state_image_suite, "state_image", NULL, NULL,
	   round_trip, every_prefix_loads_or_is_refused, every_bit_flip_is_caught,
	   unknown_and_malformed_records_are_refused)
