/*
 * open_files: a handle is the table's, never a number a guest can aim:
 * forged, stale, cross-kind and released handles are EBADF; a handle
 * released while in use closes after its last use; clearing closes all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "core/open_files.h"
#include "../unit.h"

static int dirs_closed;

static void close_dir(void *dir)
{
	(void)dir;
	dirs_closed++;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

START_TEST(forged_stale_and_cross_kind_handles_are_ebadf)
{
	struct open_files t;
	struct open_ref r;
	uint64_t fh, dh, old;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), dummy = 1;

	open_files_init(&t, close_dir, NULL);
	ck_assert_int_eq(open_files_add(&t, OPEN_FILE, fd, NULL, &fh), 0);
	ck_assert_int_eq(open_files_add(&t, OPEN_DIR, -1, &dummy, &dh), 0);
	ck_assert_uint_ne(fh, (uint64_t)fd);          /* never the fd itself */
	ck_assert_int_eq(open_files_get(&t, fh, OPEN_FILE, &r), 0);
	ck_assert_int_eq(r.fd, fd);
	open_files_put(&t, &r);
	ck_assert_int_eq(open_files_get(&t, dh, OPEN_DIR, &r), 0);
	ck_assert_ptr_eq(r.dir, &dummy);
	open_files_put(&t, &r);
	/* Numbers it never gave, the other kind, the low half alone. */
	for (uint64_t n = 0; n < 16; n++)
		ck_assert_int_eq(open_files_get(&t, n, OPEN_FILE, &r), -EBADF);
	ck_assert_int_eq(open_files_get(&t, UINT64_MAX, OPEN_FILE, &r), -EBADF);
	ck_assert_int_eq(open_files_get(&t, fh, OPEN_DIR, &r), -EBADF);
	ck_assert_int_eq(open_files_get(&t, dh, OPEN_FILE, &r), -EBADF);
	ck_assert_int_eq(open_files_get(&t, fh & 0xffffffffu, OPEN_FILE, &r), -EBADF);
	ck_assert_int_eq(open_files_remove(&t, 5, OPEN_FILE), -EBADF);
	ck_assert(fd_open(fd));
	/* Released: gone, and its slot's next tenant does not answer to it. */
	old = fh;
	ck_assert_int_eq(open_files_remove(&t, fh, OPEN_FILE), 0);
	ck_assert(!fd_open(fd));
	ck_assert_int_eq(open_files_remove(&t, old, OPEN_FILE), -EBADF);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(open_files_add(&t, OPEN_FILE, fd, NULL, &fh), 0);
	ck_assert_uint_eq(fh & 0xffffffffu, old & 0xffffffffu); /* the slot reused ... */
	ck_assert_int_eq(open_files_get(&t, old, OPEN_FILE, &r), -EBADF); /* ... under a new generation */
	ck_assert_uint_eq(t.open, 2);
	open_files_release(&t);
	ck_assert(!fd_open(fd));
	ck_assert_int_eq(dirs_closed, 1);
}
END_TEST

START_TEST(a_handle_in_use_closes_after_its_last_use)
{
	struct open_files t;
	struct open_ref a, b;
	uint64_t fh;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	uint64_t live = 0;

	open_files_init(&t, NULL, &live);
	ck_assert_int_eq(open_files_add(&t, OPEN_FILE, fd, NULL, &fh), 0);
	ck_assert_uint_eq(live, 1);
	ck_assert_int_eq(open_files_get(&t, fh, OPEN_FILE, &a), 0);
	ck_assert_int_eq(open_files_get(&t, fh, OPEN_FILE, &b), 0);
	ck_assert_int_eq(open_files_remove(&t, fh, OPEN_FILE), 0);   /* RELEASE while in use */
	ck_assert_int_eq(open_files_get(&t, fh, OPEN_FILE, &a), -EBADF); /* no new uses */
	ck_assert(fd_open(fd));                                      /* the uses go on */
	ck_assert_uint_eq(live, 1);                                  /* and it counts as open */
	open_files_put(&t, &b);
	ck_assert(fd_open(fd));
	open_files_put(&t, &a);
	ck_assert(!fd_open(fd));                                     /* the last one closed it */
	ck_assert_uint_eq(live, 0);
	/* Many at once: the table grows, every handle stays right. */
	for (int i = 0; i < 3000; i++) {
		uint64_t h;
		struct open_ref r;

		ck_assert_int_eq(open_files_add(&t, OPEN_FILE, -1, NULL, &h), 0);
		ck_assert_int_eq(open_files_get(&t, h, OPEN_FILE, &r), 0);
		ck_assert_int_eq(r.fd, -1);
		open_files_put(&t, &r);
	}
	ck_assert_uint_eq(t.open, 3000);
	open_files_clear(&t);          /* a guest gone: all of its handles */
	ck_assert_uint_eq(t.open, 0);
	open_files_release(&t);
}
END_TEST

UNIT_SUITE(open_files_suite, "open_files", NULL, NULL,
	   forged_stale_and_cross_kind_handles_are_ebadf,
	   a_handle_in_use_closes_after_its_last_use)
