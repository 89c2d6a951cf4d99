/*
 * lookup: each design's rules, on real files in a temporary directory,
 * with the fault points standing in for the failures of the thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lookup.h"
#include "../unit.h"

static struct passthrough pt;
static struct inode *root;
static bool up;

static void setup(void)
{
	ck_assert_ptr_nonnull(unit_tmpdir_make());
	up = false;
}

static void teardown(void)
{
	if (up)
		passthrough_release(&pt);
	unit_tmpdir_remove();
}

static void touch(const char *name, mode_t mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", unit_tmpdir, name);
	if (S_ISDIR(mode))
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else
		ck_assert_int_eq(mknod(p, mode | 0644, 0), 0);
}

static bool start(enum design d, enum handle_policy h, enum mount_fd_source src,
		  enum no_mount_fd policy)
{
	struct passthrough_config cfg;

	if (h != HANDLES_NEVER && !unit_have_root("opening handles (CAP_DAC_READ_SEARCH)"))
		return false;
	passthrough_config_defaults(&cfg);
	cfg.source = unit_tmpdir;
	cfg.design = d;
	cfg.handles = h;
	cfg.mount_fd_source = src;
	cfg.no_mount_fd = policy;
	ck_assert_int_eq(passthrough_init(&pt, &cfg, NULL), 0);
	up = true;
	root = inode_store_get(pt.store, ROOT_NODEID);
	inode_store_put(pt.store, root);
	return true;
}

static size_t live_count(void)
{
	size_t live, retired;

	inode_store_counts(pt.store, &live, &retired);
	return live;
}

/* What the store says of @i now. */
static struct inode_info I(struct inode *i)
{
	struct inode_info info;

	inode_store_info(pt.store, i, &info);
	return info;
}

static int look(const char *name, struct inode **out)
{
	struct stat st;

	return passthrough_lookup(&pt, root, name, &st, out);
}

static void arm(enum fault_point p, int err, enum fault_when when, uint64_t n)
{
	struct fault_schedule s = { .when = when, .n = n };

	faults_arm(&pt.faults, p, err, &s);
}

START_TEST(fixed_one_inode_per_file)
{
	struct inode *a, *b;

	touch("f", S_IFREG);
	if (!start(DESIGN_FIXED, HANDLES_PREFER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_OPATH))
		return;
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_ptr_nonnull(I(a).handle);
	ck_assert_int_eq(inode_fd(a), -1); /* 0 fds per cached inode */
	ck_assert(I(a).mount_ref);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(I(a).nlookup, 2);
	ck_assert_uint_eq(pt.counters.found_by_handle, 1);
	/* A transient handle failure fails the lookup; it makes no inode. */
	arm(FAULT_HANDLE_GENERATE, EIO, FAULT_EVERY, 0);
	ck_assert_int_eq(look("f", &b), -EIO);
	arm(FAULT_HANDLE_GENERATE, EOPNOTSUPP, FAULT_EVERY, 0);
	ck_assert_int_eq(look("f", &b), -EOPNOTSUPP); /* this mount has handles */
	ck_assert_uint_eq(live_count(), 2);
	ck_assert_uint_eq(pt.counters.fallbacks_opath, 0);
}
END_TEST

START_TEST(fixed_adopts_an_fd_inode)
{
	struct inode *a, *b;

	touch("f", S_IFREG);
	if (!start(DESIGN_FIXED, HANDLES_PREFER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_OPATH))
		return;
	/* The first lookup on a fresh mount is told "no handles": O_PATH. */
	arm(FAULT_HANDLE_GENERATE, EOPNOTSUPP, FAULT_NTH, 1);
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_ptr_null(I(a).handle);
	ck_assert_int_ge(inode_fd(a), 0);
	/* Handles work after all: the same inode takes the handle. */
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_nonnull(I(a).handle);
	ck_assert_uint_eq(live_count(), 2);
}
END_TEST

START_TEST(never_keys_by_ids_with_fds)
{
	struct inode *a, *b;

	touch("f", S_IFREG);
	ck_assert(start(DESIGN_FIXED, HANDLES_NEVER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_OPATH));
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_ptr_null(I(a).handle);
	ck_assert_int_ge(inode_fd(a), 0);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(pt.counters.found_by_ids, 1);
	ck_assert_uint_eq(pt.counters.inode_fds, 2); /* root and f */
}
END_TEST

START_TEST(v3_makes_a_duplicate_when_the_handle_fails)
{
	struct inode *a, *b;

	touch("f", S_IFREG);
	if (!start(DESIGN_V3, HANDLES_PREFER, MOUNT_FD_FIRST_OPENABLE, NO_MOUNT_FD_OPATH))
		return;
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_ptr_nonnull(I(a).handle);
	arm(FAULT_HANDLE_GENERATE, EIO, FAULT_NTH, 1);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_ne(a, b); /* the duplicate of the thread */
	ck_assert_ptr_null(I(b).handle);
	ck_assert_int_ge(inode_fd(b), 0);
	ck_assert_uint_eq(pt.counters.ids_hits_rejected, 1);
	ck_assert_uint_eq(pt.counters.fallbacks_opath, 1);
}
END_TEST

START_TEST(v3_falls_back_without_a_mount_fd)
{
	struct inode *a, *b, *c;

	touch("fifo", S_IFIFO);
	touch("f", S_IFREG);
	if (!start(DESIGN_V3, HANDLES_PREFER, MOUNT_FD_FIRST_OPENABLE, NO_MOUNT_FD_OPATH))
		return;
	/* The first inode on the mount is a FIFO: no mount fd can be had. */
	ck_assert_int_eq(look("fifo", &a), 0);
	ck_assert_ptr_null(I(a).handle);
	ck_assert_int_ge(inode_fd(a), 0);
	ck_assert_uint_eq(mount_fds_count(&pt.mount_fds), 0);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_nonnull(I(b).handle);
	ck_assert_uint_eq(mount_fds_count(&pt.mount_fds), 1);
	/* Now the FIFO's handle is usable; its O_PATH inode is found by ids. */
	ck_assert_int_eq(look("fifo", &c), 0);
	ck_assert_ptr_eq(a, c);
}
END_TEST

START_TEST(ids_only_accepts_an_ids_hit_without_fd)
{
	struct inode *a, *b;

	touch("d", S_IFDIR);
	touch("f", S_IFREG);
	if (!start(DESIGN_IDS_ONLY, HANDLES_PREFER, MOUNT_FD_FIRST_OPENABLE, NO_MOUNT_FD_OPATH))
		return;
	ck_assert_int_eq(look("d", &a), 0); /* the mount fd comes from d */
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_int_eq(inode_fd(a), -1);
	ck_assert(I(a).in_ids);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(pt.counters.found_by_ids, 1);
	ck_assert_uint_eq(pt.counters.found_by_handle, 0);
}
END_TEST

START_TEST(no_mount_fd_policies)
{
	struct inode *a;

	touch("f", S_IFREG);
	if (!start(DESIGN_FIXED, HANDLES_PREFER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_FAIL))
		return;
	arm(FAULT_MOUNT_FD_OPEN, EACCES, FAULT_EVERY, 0);
	ck_assert_int_eq(look("f", &a), -EIO);
	ck_assert_uint_eq(live_count(), 1);
	pt.cfg.no_mount_fd = NO_MOUNT_FD_LOOKUP_ONLY;
	ck_assert_int_eq(look("f", &a), 0);
	ck_assert_ptr_nonnull(I(a).handle);
	ck_assert(!I(a).mount_ref);
	ck_assert_int_eq(inode_fd(a), -1);
	ck_assert_int_eq(inode_reopen(&pt, a, O_RDONLY), -EACCES); /* retried on use */
	faults_clear_all(&pt.faults);
	int fd = inode_reopen(&pt, a, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pt.cfg.no_mount_fd = NO_MOUNT_FD_OPATH;
	touch("g", S_IFREG);
	arm(FAULT_MOUNT_FD_OPEN, EACCES, FAULT_EVERY, 0);
	ck_assert_int_eq(mount_fds_count(&pt.mount_fds), 0);
	ck_assert_int_eq(look("g", &a), 0);
	ck_assert_ptr_nonnull(I(a).handle); /* identity by handle, */
	ck_assert_int_ge(inode_fd(a), 0);       /* access through O_PATH */
	ck_assert(I(a).in_ids);
}
END_TEST

START_TEST(first_openable_with_a_fifo_first)
{
	struct inode *a, *b;

	touch("fifo", S_IFIFO);
	touch("f", S_IFREG);
	if (!start(DESIGN_FIXED, HANDLES_PREFER, MOUNT_FD_FIRST_OPENABLE, NO_MOUNT_FD_LOOKUP_ONLY))
		return;
	ck_assert_int_eq(look("fifo", &a), 0);
	ck_assert_ptr_nonnull(I(a).handle); /* the lookup-only handle needs no mount fd */
	ck_assert(!I(a).mount_ref);
	ck_assert_uint_eq(mount_fds_count(&pt.mount_fds), 0);
	ck_assert_int_eq(look("f", &b), 0);
	ck_assert(I(b).mount_ref);
	ck_assert_uint_eq(mount_fds_count(&pt.mount_fds), 1);
}
END_TEST

START_TEST(dot_dotdot_and_bad_names)
{
	struct inode *a, *d;

	touch("d", S_IFDIR);
	ck_assert(start(DESIGN_FIXED, HANDLES_NEVER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_OPATH));
	ck_assert_int_eq(look("..", &a), 0);
	ck_assert_ptr_eq(a, root); /* the guest never leaves SOURCE */
	ck_assert_int_eq(look(".", &a), 0);
	ck_assert_ptr_eq(a, root);
	ck_assert_int_eq(look("d", &d), 0);
	struct stat st;
	ck_assert_int_eq(passthrough_lookup(&pt, d, "..", &st, &a), 0);
	ck_assert_ptr_eq(a, root);
	ck_assert_int_eq(look("a/b", &a), -EINVAL);
	ck_assert_int_eq(look("missing", &a), -ENOENT);
}
END_TEST

START_TEST(lookup_self_revives_a_forgotten_nodeid)
{
	struct inode *a, *b;
	struct stat st;
	uint64_t id;

	touch("f", S_IFREG);
	if (!start(DESIGN_FIXED, HANDLES_PREFER, MOUNT_FD_MOUNTINFO, NO_MOUNT_FD_OPATH))
		return;
	ck_assert_int_eq(look("f", &a), 0);
	id = inode_nodeid(a);
	ck_assert_int_eq(inode_store_forget(pt.store, id, 1), 0);
	ck_assert(I(a).retired);
	ck_assert_uint_eq(mount_fds_count(&pt.mount_fds), 0); /* ref dropped */
	ck_assert_int_eq(passthrough_lookup_self(&pt, id, &st, &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert(!I(b).retired);
	ck_assert(I(b).mount_ref);
	ck_assert_int_eq(passthrough_lookup_self(&pt, 424242, &st, &b), -ESTALE);
	/* Gone on the host: stale, and the inode stays retired. */
	ck_assert_int_eq(inode_store_forget(pt.store, id, 1), 0);
	char p[256];
	snprintf(p, sizeof(p), "%s/f", unit_tmpdir);
	unlink(p);
	ck_assert_int_eq(passthrough_lookup_self(&pt, id, &st, &b), -ESTALE);
	ck_assert(I(a).retired);
	ck_assert_uint_ge(pt.counters.stale_handles, 1);
}
END_TEST

UNIT_SUITE(lookup_suite, "lookup", setup, teardown,
	   fixed_one_inode_per_file,
	   fixed_adopts_an_fd_inode,
	   never_keys_by_ids_with_fds,
	   v3_makes_a_duplicate_when_the_handle_fails,
	   v3_falls_back_without_a_mount_fd,
	   ids_only_accepts_an_ids_hit_without_fd,
	   no_mount_fd_policies,
	   first_openable_with_a_fifo_first,
	   dot_dotdot_and_bad_names,
	   lookup_self_revives_a_forgotten_nodeid)
