/*
 * posix_ops: runs a fixed sequence of POSIX operations inside DIR and
 * prints one line per operation: what it did, and its result or errno
 * name, with the attributes a passthrough must preserve (type, mode,
 * nlink, size, owner). Inode numbers and times are left out: they differ
 * between two directories by nature. Run on the backing filesystem and
 * through a vfs-serve mount, the two transcripts must be identical.
 *
 * usage: posix_ops DIR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/errno_name.h"

static int dfd;

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%-40s -> %s\n", what, errno_name(errno) ? errno_name(errno) : "?");
	else
		printf("%-40s -> %ld\n", what, r);
}

static void show_stat(const char *name)
{
	struct stat st;
	char what[128];

	snprintf(what, sizeof(what), "lstat %s", name);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		result(what, -1);
		return;
	}
	printf("%-40s -> mode=%o nlink=%lu size=%lld uid=%u gid=%u%s\n", what,
	       st.st_mode, (unsigned long)(S_ISDIR(st.st_mode) ? 0 : st.st_nlink),
	       S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size, st.st_uid, st.st_gid,
	       S_ISCHR(st.st_mode) ? " chr" : "");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
	char *names[256];
	int n = 0;
	DIR *d;
	struct dirent *e;

	if (fd < 0 || !(d = fdopendir(fd))) {
		result("readdir", -1);
		return;
	}
	while ((e = readdir(d)) && n < 256)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), cmp_names);
	printf("%-40s ->", "readdir");
	for (int i = 0; i < n; i++) {
		/* The lost+found of an ext4 root is not ours to compare. */
		if (strcmp(names[i], "lost+found"))
			printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

#define DO(what, expr) do { errno = 0; result(what, (long)(expr)); } while (0)

int main(int argc, char **argv)
{
	char buf[4096], name[300];
	struct timespec ts[2] = { { 1000000, 0 }, { 2000000, 0 } };
	struct statvfs sv;
	bool root = geteuid() == 0;
	int fd, fd2;
	off_t off;

	if (argc != 2) {
		fprintf(stderr, "usage: posix_ops DIR\n");
		return 2;
	}
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		perror(argv[1]);
		return 1;
	}
	umask(022);
	printf("# as uid %u\n", geteuid());

	/* files: create, write, read, size, truncate, append */
	DO("create f O_EXCL 0640", fd = openat(dfd, "f", O_CREAT | O_EXCL | O_RDWR, 0640));
	DO("write 11 bytes", write(fd, "hello world", 11));
	DO("pread 5 at 6", pread(fd, buf, 5, 6));
	printf("%-40s -> %.5s\n", "data", buf);
	DO("fsync", fsync(fd));
	DO("fdatasync", fdatasync(fd));
	DO("ftruncate 4", ftruncate(fd, 4));
	DO("fallocate 0..8192", fallocate(fd, 0, 0, 8192));
	DO("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	DO("close", close(fd));
	show_stat("f");
	DO("create f O_EXCL again", openat(dfd, "f", O_CREAT | O_EXCL | O_RDWR, 0640));
	DO("open f O_APPEND", fd = openat(dfd, "f", O_WRONLY | O_APPEND));
	DO("append 3", write(fd, "abc", 3));
	DO("close", close(fd));
	show_stat("f");
	DO("open f O_TRUNC", fd = openat(dfd, "f", O_WRONLY | O_TRUNC));
	DO("close", close(fd));
	show_stat("f");
	DO("open missing", openat(dfd, "missing", O_RDONLY));
	DO("truncate via path 100", truncate(strcat(strcpy(buf, argv[1]), "/f"), 100));
	show_stat("f");

	/* sparse file: holes and data */
	DO("create sparse", fd = openat(dfd, "sparse", O_CREAT | O_RDWR, 0644));
	DO("pwrite at 1M", pwrite(fd, "x", 1, 1 << 20));
	DO("lseek SEEK_DATA 0", off = lseek(fd, 0, SEEK_DATA));
	DO("lseek SEEK_HOLE 0", lseek(fd, 0, SEEK_HOLE));
	DO("close", close(fd));

	/* attributes */
	DO("chmod f 0604", fchmodat(dfd, "f", 0604, 0));
	show_stat("f");
	DO("utimensat f", utimensat(dfd, "f", ts, 0));
	{
		struct stat st;

		fstatat(dfd, "f", &st, 0);
		printf("%-40s -> atime=%ld mtime=%ld\n", "times f", (long)st.st_atime,
		       (long)st.st_mtime);
	}
	DO("chown f 1234:1234", fchownat(dfd, "f", 1234, 1234, 0));
	show_stat("f");
	if (root)
		DO("chown f 0:0", fchownat(dfd, "f", 0, 0, 0));
	DO("faccessat f R_OK", faccessat(dfd, "f", R_OK, 0));
	DO("faccessat f X_OK", faccessat(dfd, "f", X_OK, 0));

	/* directories */
	DO("mkdir d 0750", mkdirat(dfd, "d", 0750));
	show_stat("d");
	DO("mkdir d again", mkdirat(dfd, "d", 0750));
	DO("create d/g", fd = openat(dfd, "d/g", O_CREAT | O_WRONLY, 0600));
	DO("close", close(fd));
	DO("rmdir d (not empty)", unlinkat(dfd, "d", AT_REMOVEDIR));
	DO("unlink d (a directory)", unlinkat(dfd, "d", 0));
	DO("rmdir f (not a directory)", unlinkat(dfd, "f", AT_REMOVEDIR));
	DO("open d O_WRONLY", openat(dfd, "d", O_WRONLY));
	DO("open f/x", openat(dfd, "f/x", O_RDONLY));

	/* links */
	DO("link f -> h", linkat(dfd, "f", dfd, "h", 0));
	show_stat("f");
	DO("link f -> h again", linkat(dfd, "f", dfd, "h", 0));
	DO("symlink s -> f", symlinkat("f", dfd, "s"));
	show_stat("s");
	DO("readlink s", readlinkat(dfd, "s", buf, sizeof(buf)));
	DO("symlink loop", symlinkat("loop", dfd, "loop"));
	DO("open loop", openat(dfd, "loop", O_RDONLY));
	DO("open s O_NOFOLLOW", openat(dfd, "s", O_RDONLY | O_NOFOLLOW));
	DO("open s (follows)", fd = openat(dfd, "s", O_RDONLY));
	if (fd >= 0)
		close(fd);

	/* renames */
	DO("rename h -> h2", renameat(dfd, "h", dfd, "h2"));
	DO("rename noreplace h2 -> f", renameat2(dfd, "h2", dfd, "f", RENAME_NOREPLACE));
	DO("create x", fd = openat(dfd, "x", O_CREAT | O_WRONLY, 0600));
	DO("write x", write(fd, "xx", 2));
	DO("close", close(fd));
	DO("rename exchange x <-> d", renameat2(dfd, "x", dfd, "d", RENAME_EXCHANGE));
	show_stat("x");
	show_stat("d");
	DO("rename exchange missing", renameat2(dfd, "nope", dfd, "d", RENAME_EXCHANGE));
	DO("rename x -> d/g (dir over file)", renameat(dfd, "x", dfd, "d/g"));
	DO("rename d -> x/in (into itself)", renameat(dfd, "d", dfd, "d/x/in"));
	DO("rename over h2 <- sparse", renameat(dfd, "sparse", dfd, "h2"));
	show_stat("f");
	DO("rename whiteout f -> fw", renameat2(dfd, "f", dfd, "fw", RENAME_WHITEOUT));
	show_stat("f");
	show_stat("fw");
	DO("unlink the whiteout f", unlinkat(dfd, "f", 0));
	DO("rename fw -> f", renameat(dfd, "fw", dfd, "f"));

	/* nodes */
	DO("mkfifo p", mknodat(dfd, "p", S_IFIFO | 0644, 0));
	show_stat("p");
	DO("mknod chr 1:3", mknodat(dfd, "c", S_IFCHR | 0600, makedev(1, 3)));
	show_stat("c");
	DO("mknod sock", mknodat(dfd, "k", S_IFSOCK | 0600, 0));

	/* xattrs */
	DO("setxattr user.a", setxattr(strcat(strcpy(buf, argv[1]), "/f"), "user.a", "1", 1, 0));
	DO("setxattr user.a CREATE", setxattr(buf, "user.a", "2", 1, XATTR_CREATE));
	DO("getxattr user.a size", getxattr(buf, "user.a", NULL, 0));
	DO("getxattr user.a", getxattr(buf, "user.a", name, sizeof(name)));
	DO("getxattr user.missing", getxattr(buf, "user.missing", name, sizeof(name)));
	DO("getxattr small buffer", getxattr(buf, "user.a", name, 0 + 0 * sizeof(name)));
	DO("listxattr size", listxattr(buf, NULL, 0) >= 0);
	DO("removexattr user.a", removexattr(buf, "user.a"));
	DO("removexattr user.a again", removexattr(buf, "user.a"));

	/* names */
	memset(name, 'n', 256);
	name[256] = '\0';
	DO("create name of 256", openat(dfd, name, O_CREAT | O_WRONLY, 0600));
	DO("statvfs", statvfs(argv[1], &sv));

	/* two fds, one file: the second sees the first's write */
	DO("open f rw", fd = openat(dfd, "f", O_RDWR));
	DO("open f ro", fd2 = openat(dfd, "f", O_RDONLY));
	DO("pwrite 'Z' at 0", pwrite(fd, "Z", 1, 0));
	DO("pread 1 at 0", pread(fd2, buf, 1, 0));
	printf("%-40s -> %c\n", "data", buf[0]);
	close(fd);
	close(fd2);

	/* unlink with the file still open: it stays readable */
	DO("open f for keep", fd = openat(dfd, "f", O_RDONLY));
	DO("unlink f", unlinkat(dfd, "f", 0));
	DO("pread after unlink", pread(fd, buf, 1, 0));
	DO("close", close(fd));
	DO("unlink f again", unlinkat(dfd, "f", 0));

	/* Next to DIR the test may have put root's 0600 file and 0755 dir. */
	if (faccessat(dfd, "../secret", F_OK, AT_EACCESS) == 0 || errno == EACCES) {
		DO("open ../secret (root 0600)", openat(dfd, "../secret", O_RDONLY));
		DO("create in ../rootdir (root 0755)",
		   openat(dfd, "../rootdir/new", O_CREAT | O_WRONLY, 0644));
		DO("unlink ../rootdir/kept", unlinkat(dfd, "../rootdir/kept", 0));
		DO("chmod ../secret", fchmodat(dfd, "../secret", 0666, 0));
	}
	list_dir(".");
	return 0;
}
