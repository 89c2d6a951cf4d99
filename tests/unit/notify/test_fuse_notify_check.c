/* fuse_notify_check: mainline notifications up to 7.45, whole and cut. */
#include <errno.h>
#include <string.h>
#include <linux/fuse.h>

#include "../unit.h"
#include "fuse/opcodes.h"
#include "notify/fuse_notify_check.h"

static size_t record(char *buf, int code, const void *body, size_t len)
{
	struct fuse_out_header o = { .len = (uint32_t)(sizeof(o) + len), .error = code };

	memcpy(buf, &o, sizeof(o));
	if (len) /* memcpy's NULL is undefined even for 0 bytes */
		memcpy(buf + sizeof(o), body, len);
	return sizeof(o) + len;
}

START_TEST(newer_codes_are_read_and_named)
{
	char buf[256], body[64] = { 0 };
	struct vfs_fuse_notify_prune_out p = { .count = 2 };
	const char *why = NULL;
	int code = 0;
	size_t n;

	n = record(buf, VFS_FUSE_NOTIFY_RESEND, NULL, 0);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), 0);
	ck_assert_str_eq(fuse_notify_word(code), "RESEND");
	n = record(buf, VFS_FUSE_NOTIFY_INC_EPOCH, NULL, 0);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), 0);
	ck_assert_str_eq(fuse_notify_word(code), "INC_EPOCH");
	memcpy(body, &p, sizeof(p)); /* then nodeids 0 and 0: 16 bytes */
	n = record(buf, VFS_FUSE_NOTIFY_PRUNE, body, sizeof(p) + 16);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), 0);
	ck_assert_int_eq(code, VFS_FUSE_NOTIFY_PRUNE);
	ck_assert_str_eq(fuse_notify_word(code), "PRUNE");
	ck_assert_ptr_null(fuse_notify_word(10));
	ck_assert_str_eq(fuse_opcode_word(53), "COPY_FILE_RANGE_64");
}
END_TEST

START_TEST(lies_and_cuts_are_refused_with_a_reason)
{
	char buf[256], body[64] = { 0 };
	struct vfs_fuse_notify_prune_out p = { .count = 3 };
	struct fuse_notify_delete_out d = { .parent = 1, .child = 2, .namelen = 3 };
	const char *why = NULL;
	int code = 0;
	size_t n;

	memcpy(body, &p, sizeof(p)); /* claims 3 nodeids, carries 2 */
	n = record(buf, VFS_FUSE_NOTIFY_PRUNE, body, sizeof(p) + 16);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), -EPROTO);
	ck_assert_str_eq(why, "its length is not what its fixed part says follows");
	n = record(buf, VFS_FUSE_NOTIFY_PRUNE, body, 8);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), -EPROTO);
	ck_assert_str_eq(why, "shorter than its code's fixed part");
	memcpy(body, &d, sizeof(d));
	memcpy(body + sizeof(d), "abcd", 4); /* no NUL after the 3 bytes */
	n = record(buf, FUSE_NOTIFY_DELETE, body, sizeof(d) + 4);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), -EPROTO);
	ck_assert_str_eq(why, "a name without its NUL");
	buf[n - 1] = '\0';
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), 0);
	ck_assert_int_eq(code, FUSE_NOTIFY_DELETE);
	n = record(buf, 10, NULL, 0);
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), -EPROTO);
	ck_assert_str_eq(why, "no mainline notify code (1 to 9)");
	n = record(buf, VFS_FUSE_NOTIFY_RESEND, NULL, 0);
	ck_assert_int_eq(fuse_notify_check(buf, n - 1, &code, &why), -EPROTO);
	((struct fuse_out_header *)buf)->unique = 7;
	ck_assert_int_eq(fuse_notify_check(buf, n, &code, &why), -EPROTO);
	ck_assert_str_eq(why, "not a notification (unique is not 0)");
}
END_TEST

UNIT_SUITE(fuse_notify_check_suite, "fuse_notify_check", NULL, NULL,
	   newer_codes_are_read_and_named,
	   lies_and_cuts_are_refused_with_a_reason)
