/*
 * file_ops: the file operations guest and host steps share. A guest step
 * runs them below the FUSE mount, a host step below the server's source
 * directory, as the host side of a virtio-fs share changes it underneath
 * the guest.
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
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guest/guest_ops.h"
#include "util/array.h"
#include "util/file_type.h"
#include "util/proc_fd.h"

#define MAX_FDS 32

static struct { char name[32]; int fd; bool server_open; } fds[MAX_FDS];

static int slot(const char *name, bool create)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_FDS; i++) {
		if (fds[i].name[0] && !strcmp(fds[i].name, name))
			return i;
		if (!fds[i].name[0] && free_slot < 0)
			free_slot = i;
	}
	if (!create || free_slot < 0 || strlen(name) >= sizeof(fds[0].name))
		return -1;
	snprintf(fds[free_slot].name, sizeof(fds[0].name), "%s", name);
	fds[free_slot].fd = -1;
	return free_slot;
}

int ops_guest_open_files(void)
{
	int n = 0;

	for (int i = 0; i < MAX_FDS; i++)
		n += fds[i].name[0] && fds[i].fd >= 0 && fds[i].server_open;
	return n;
}

void ops_close_all(void)
{
	for (int i = 0; i < MAX_FDS; i++) {
		if (fds[i].name[0] && fds[i].fd >= 0)
			close(fds[i].fd);
		fds[i].name[0] = '\0';
	}
}

static char *at(const char *root, const char *path)
{
	static char buf[2][4096];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, path);
	return buf[k];
}

/* The whole file, up to the limit of a value (a runner error past it). */
static int read_fd(int fd, struct strbuf *out)
{
	char buf[8192];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (off + n > STEP_VALUE_MAX) {
			ops_refuse("the file is larger than %d bytes, the limit of a value",
				   STEP_VALUE_MAX);
			return -EFBIG;
		}
		strbuf_addf(out, "%.*s", (int)n, buf);
		off += n;
	}
	return n < 0 ? -errno : 0;
}

#define WALK_MAX_DEPTH 64

/* lstat of every entry below @dirfd, counted into *n; the first -errno. */
static int walk_dir(int dirfd, int depth, long *n)
{
	DIR *d;
	struct dirent *e;
	int err = 0;

	if (depth > WALK_MAX_DEPTH) {
		ops_refuse("walk: deeper than %d directories", WALK_MAX_DEPTH);
		close(dirfd);
		return -ELOOP;
	}
	d = fdopendir(dirfd);
	if (!d) {
		err = -errno;
		close(dirfd);
		return err;
	}
	while (!err && (errno = 0, e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			err = -errno;
			break;
		}
		(*n)++;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);

			err = sub < 0 ? -errno : walk_dir(sub, depth + 1, n);
		}
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *root, const char *path, struct strbuf *out)
{
	int fd = open_beneath(root, path, O_RDONLY | O_DIRECTORY, 0), n = 0, err = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;

	if (!d) {
		err = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "lost+found"))
			continue;
		err = ARRAY_GROW(names, (size_t)n + 1, cap);
		if (err)
			break;
		names[n] = strdup(e->d_name);
		if (!names[n])
			err = -ENOMEM;
		else
			n++;
	}
	closedir(d);
	if (err) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
		ops_refuse("out of memory listing '%s'", path);
		return err;
	}
	if (n)
		qsort(names, (size_t)n, sizeof(*names), cmp_names);
	for (int i = 0; i < n; i++) {
		strbuf_addf(out, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}


static int stat_field(const char *path, int fd, const char *field, struct strbuf *out)
{
	struct stat st;

	if ((path ? lstat(path, &st) : fstat(fd, &st)) < 0)
		return -errno;
	if (!strcmp(field, "ino"))
		strbuf_addf(out, "%llu", (unsigned long long)st.st_ino);
	else if (!strcmp(field, "size"))
		strbuf_addf(out, "%lld", (long long)st.st_size);
	else if (!strcmp(field, "nlink"))
		strbuf_addf(out, "%lu", (unsigned long)st.st_nlink);
	else if (!strcmp(field, "type"))
		strbuf_addstr(out, file_type_name(st.st_mode));
	else
		strbuf_addf(out, "%o", st.st_mode & 07777);
	return 0;
}

static int write_file(const char *root, const char *path, const char *data)
{
	int fd = open_beneath(root, path, O_WRONLY | O_CREAT | O_TRUNC, 0644), err = 0;
	size_t len = strlen(data);

	if (fd < 0)
		return fd;
	if (write(fd, data, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

static int open_slot(const char *name, const char *root, const char *path, int flags,
		     bool guest)
{
	int i = slot(name, true), fd;

	if (i < 0) {
		ops_refuse("no room for fd '%s': at most %d named fds, names up to %zu bytes",
			   name, MAX_FDS, sizeof(fds[0].name) - 1);
		return -EMFILE;
	}
	if (fds[i].fd >= 0) {
		ops_refuse("fd name '%s' is still open: close it first", name);
		return -EBUSY;
	}
	fd = open_beneath(root, path, flags, 0);
	if (fd < 0)
		return fd;
	fds[i].fd = fd;
	/* O_PATH sends no FUSE OPEN: the server has no file open for it. */
	fds[i].server_open = guest && !(flags & O_PATH);
	return 0;
}

int op_file(const char *root, bool guest, const char *op, int argc, char **argv,
	    struct strbuf *out)
{
	int r = 0, fd;

	(void)argc;
	if (!strcmp(op, "create")) {
		fd = open_beneath(root, argv[0], O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			return fd;
		r = close(fd);
	} else if (!strcmp(op, "write")) {
		r = write_file(root, argv[0], argv[1]);
		if (r)
			return r;
	} else if (!strcmp(op, "read")) {
		fd = open_beneath(root, argv[0], O_RDONLY, 0);
		if (fd < 0)
			return fd;
		r = read_fd(fd, out);
		close(fd);
		return r;
	} else if (!strcmp(op, "stat")) {
		return stat_field(at(root, argv[0]), -1, argv[1], out);
	} else if (!strcmp(op, "unlink")) {
		r = unlink(at(root, argv[0]));
	} else if (!strcmp(op, "mkdir")) {
		r = mkdir(at(root, argv[0]), 0755);
	} else if (!strcmp(op, "rmdir")) {
		r = rmdir(at(root, argv[0]));
	} else if (!strcmp(op, "rename")) {
		unsigned flags = argc < 3 ? 0 : !strcmp(argv[2], "noreplace") ?
			RENAME_NOREPLACE : RENAME_EXCHANGE;
		r = renameat2(AT_FDCWD, at(root, argv[0]), AT_FDCWD, at(root, argv[1]), flags);
	} else if (!strcmp(op, "link")) {
		r = link(at(root, argv[0]), at(root, argv[1]));
	} else if (!strcmp(op, "symlink")) {
		r = symlink(argv[0], at(root, argv[1]));
	} else if (!strcmp(op, "mknod")) {
		mode_t m = !strcmp(argv[1], "fifo") ? S_IFIFO : !strcmp(argv[1], "sock") ?
			S_IFSOCK : S_IFCHR;
		r = mknod(at(root, argv[0]), m | 0644, m == S_IFCHR ? makedev(1, 3) : 0);
	} else if (!strcmp(op, "xattr")) {
		char v[256];
		ssize_t n = lgetxattr(at(root, argv[0]), argv[1], v, sizeof(v) - 1);

		if (n < 0)
			return -errno;
		strbuf_add(out, v, (size_t)n);
		return 0;
	} else if (!strcmp(op, "open-writer")) {
		/* ENXIO: nobody has the FIFO open for reading (the server did not). */
		fd = open_beneath(root, argv[0], O_WRONLY | O_NONBLOCK, 0);
		if (fd < 0)
			return fd;
		r = close(fd);
	} else if (!strcmp(op, "readdir")) {
		return list(root, argv[0], out);
	} else if (!strcmp(op, "walk")) {
		long n = 0;

		fd = open_beneath(root, argv[0], O_RDONLY | O_DIRECTORY, 0);
		r = fd < 0 ? fd : walk_dir(fd, 0, &n);
		if (!r)
			strbuf_addf(out, "%ld", n);
		return r;
	} else if (!strcmp(op, "open")) {
		return open_slot(argv[0], root, argv[1],
				 argc == 3 && !strcmp(argv[2], "rw") ? O_RDWR : O_RDONLY, guest);
	} else if (!strcmp(op, "hold")) {
		/* O_PATH: pins the inode without a FUSE OPEN, as a cwd would. */
		return open_slot(argv[0], root, argv[1], O_PATH, guest);
	} else if (!strcmp(op, "readfd") || !strcmp(op, "close") || !strcmp(op, "reopen") ||
		   !strcmp(op, "fstat")) {
		int i = slot(argv[0], false);

		if (i < 0 || fds[i].fd < 0)
			return -EBADF;
		if (!strcmp(op, "readfd"))
			return read_fd(fds[i].fd, out);
		if (!strcmp(op, "fstat"))
			return stat_field(NULL, fds[i].fd, argv[1], out);
		if (!strcmp(op, "reopen")) {
			/* Opens the inode the fd holds, not a name: no lookup retry. */
			fd = proc_fd_reopen(-1, fds[i].fd, O_RDONLY);
			if (fd < 0)
				return fd;
			r = read_fd(fd, out);
			close(fd);
			return r;
		}
		r = close(fds[i].fd);
		fds[i].fd = -1;
		fds[i].name[0] = '\0';
	} else {
		return -ENOSYS;
	}
	if (r < 0)
		return -errno;
	strbuf_addf(out, "0");
	return 0;
}
