/*
 * mount_fds: references reach zero and close the fd; device nodes, FIFOs
 * and sockets never become mount fds; the mountinfo source checks that
 * what it opened is the mount it was asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/mount.h>
#include <unistd.h>

#include "core/mount_fds.h"
#include "core/mountinfo.h"
#include "../unit.h"

static struct faults faults;
static struct decision_log nolog = { .fd = -1 };
static struct counters counters;
static struct mount_fds m;
static char path[256];

static void setup(void)
{
	ck_assert_ptr_nonnull(unit_tmpdir_make());
	faults_init(&faults);
	memset(&counters, 0, sizeof(counters));
}

static void teardown(void)
{
	mount_fds_release(&m);
	unit_tmpdir_remove();
}

/* An O_PATH fd on a new file of type @mode in the test dir, and its mnt_id. */
static int make_node(const char *name, mode_t mode, int *mnt_id)
{
	struct statx x;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir, name);
	if (S_ISDIR(mode))
		ck_assert_int_eq(mkdir(path, 0755), 0);
	else
		ck_assert_int_eq(mknod(path, mode | 0644, S_ISCHR(mode) ? makedev(1, 3) : 0), 0);
	fd = open(path, O_PATH | O_NOFOLLOW);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &x), 0);
	*mnt_id = (int)x.stx_mnt_id;
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

START_TEST(first_openable_refuses_nodes_then_opens_a_file)
{
	struct mount_ref r, r2;
	int mnt, fifo, sock, reg, fd;

	if (!unit_have_root("mknod of a device node"))
		return;
	ck_assert_int_eq(mount_fds_init(&m, MOUNT_FD_FIRST_OPENABLE, &faults, &nolog, &counters, -1), 0);
	fifo = make_node("fifo", S_IFIFO, &mnt);
	ck_assert_int_eq(mount_fds_get(&m, mnt, fifo, S_IFIFO, &r), -ENXIO);
	sock = make_node("sock", S_IFSOCK, &mnt);
	ck_assert_int_eq(mount_fds_get(&m, mnt, sock, S_IFSOCK, &r), -ENXIO);
	int chr = make_node("chr", S_IFCHR, &mnt);
	ck_assert_int_eq(mount_fds_get(&m, mnt, chr, S_IFCHR, &r), -ENXIO);
	ck_assert_int_eq(mount_fds_get(&m, mnt, -1, S_IFREG, &r), -ENXIO);
	ck_assert_uint_eq(mount_fds_count(&m), 0);

	reg = make_node("reg", S_IFREG, &mnt);
	ck_assert_int_eq(mount_fds_get(&m, mnt, reg, S_IFREG, &r), 0);
	fd = r.fd;
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY); /* not O_PATH */
	ck_assert_int_eq(mount_fds_get(&m, mnt, fifo, S_IFIFO, &r2), 0); /* reuses it */
	ck_assert_int_eq(r2.fd, fd);
	ck_assert_int_eq(r2.mnt_id, mnt);
	ck_assert_uint_eq(mount_fds_refs(&m, mnt), 2);
	ck_assert_uint_eq(counters.mount_fds, 1);
	mount_fds_put(&m, &r);
	ck_assert_int_eq(r.fd, -1);
	ck_assert(fd_open(fd));
	mount_fds_put(&m, &r2);
	ck_assert_uint_eq(mount_fds_refs(&m, mnt), 0);
	ck_assert_uint_eq(counters.mount_fds, 0);
	ck_assert(!fd_open(fd)); /* the last reference closed it */
	close(fifo);
	close(sock);
	close(chr);
	close(reg);
}
END_TEST

START_TEST(mountinfo_source_opens_the_mount_root)
{
	struct statx x;
	struct mount_ref r;
	int mnt, dir;

	ck_assert_int_eq(mount_fds_init(&m, MOUNT_FD_MOUNTINFO, &faults, &nolog, &counters, -1), 0);
	dir = make_node("d", S_IFDIR, &mnt);
	ck_assert_int_eq(mount_fds_get(&m, mnt, -1, 0, &r), 0);
	ck_assert_int_eq(statx(r.fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &x), 0);
	ck_assert_uint_eq(x.stx_mnt_id, (uint64_t)mnt);
	mount_fds_put(&m, &r);
	ck_assert_int_eq(mount_fds_get(&m, 999999, -1, 0, &r), -ENOENT);
	close(dir);
}
END_TEST

START_TEST(mountinfo_source_checks_what_it_opened)
{
	char fake[300];
	FILE *f;
	struct mount_ref r;
	int mnt, dir;

	ck_assert_int_eq(mount_fds_init(&m, MOUNT_FD_MOUNTINFO, &faults, &nolog, &counters, -1), 0);
	dir = make_node("d", S_IFDIR, &mnt);
	/* A mountinfo that claims our mount is at /proc: another mount. */
	snprintf(fake, sizeof(fake), "%s/mountinfo", unit_tmpdir);
	f = fopen(fake, "w");
	fprintf(f, "%d 1 0:1 / /proc rw - proc proc rw\n", mnt);
	fprintf(f, "%d 1 0:1 / %s/with\\040space rw - x x rw\n", mnt + 1, unit_tmpdir);
	fclose(f);
	m.mountinfo = fake;
	ck_assert_int_eq(mount_fds_get(&m, mnt, -1, 0, &r), -EXDEV);
	ck_assert_uint_eq(mount_fds_count(&m), 0);
	char where[300], want[300];

	ck_assert_int_eq(mountinfo_find(AT_FDCWD, fake, mnt + 1, where, sizeof(where)), 0);
	snprintf(want, sizeof(want), "%s/with space", unit_tmpdir);
	ck_assert_str_eq(where, want);
	ck_assert_int_eq(mountinfo_find(AT_FDCWD, fake, mnt + 1, where, 5), -ENAMETOOLONG);
	close(dir);
}
END_TEST

START_TEST(mount_fd_open_fault_point)
{
	struct fault_schedule every = { .when = FAULT_EVERY };
	struct mount_ref r;
	int mnt, dir;

	ck_assert_int_eq(mount_fds_init(&m, MOUNT_FD_MOUNTINFO, &faults, &nolog, &counters, -1), 0);
	dir = make_node("d", S_IFDIR, &mnt);
	faults_arm(&faults, FAULT_MOUNT_FD_OPEN, EACCES, &every);
	ck_assert_int_eq(mount_fds_get(&m, mnt, dir, S_IFDIR, &r), -EACCES);
	ck_assert_uint_eq(mount_fds_count(&m), 0);
	faults_clear_all(&faults);
	ck_assert_int_eq(mount_fds_get(&m, mnt, dir, S_IFDIR, &r), 0);
	mount_fds_put(&m, &r);
	close(dir);
}
END_TEST

/* The device of a mount point, by its unescaped path and type; a hung FUSE mount is never asked. */
START_TEST(mountinfo_dev_at_finds_the_mount_on_top)
{
	char point[300];
	unsigned major = 9, minor = 9;
	struct stat st;

	if (!unit_have_root("mounting a tmpfs"))
		return;
	/* A mount namespace of its own: a failed assertion leaves no mount behind. */
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(point, sizeof(point), "%s/dev at", unit_tmpdir);
	ck_assert_int_eq(mkdir(point, 0755), 0);
	ck_assert_int_eq(mount("vfskit-unit", point, "tmpfs", 0, "size=1m"), 0);
	ck_assert_int_eq(stat(point, &st), 0);
	ck_assert_int_eq(mountinfo_dev_at(point, "tmpfs", &major, &minor), 0);
	ck_assert_uint_eq(major, major(st.st_dev));
	ck_assert_uint_eq(minor, minor(st.st_dev));
	ck_assert_int_eq(mountinfo_dev_at(point, "fuse", &major, &minor), -ENOENT);
	ck_assert_int_eq(umount2(point, MNT_DETACH), 0);
	ck_assert_int_eq(mountinfo_dev_at(point, "tmpfs", &major, &minor), -ENOENT);
}
END_TEST

UNIT_SUITE(mount_fds_suite, "mount_fds", setup, teardown,
	   mountinfo_dev_at_finds_the_mount_on_top,
	   first_openable_refuses_nodes_then_opens_a_file,
	   mountinfo_source_opens_the_mount_root,
	   mountinfo_source_checks_what_it_opened,
	   mount_fd_open_fault_point)
