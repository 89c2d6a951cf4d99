/* state_file: see state_file.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state_file.h"

int state_file_read(int dirfd, const char *name, struct strbuf *out)
{
	char buf[65536];
	struct stat st;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL; /* a FIFO or device planted there is never read */
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (out->len + (size_t)n > STATE_FILE_MAX) {
			err = -EFBIG;
			goto out;
		}
		strbuf_add(out, buf, (size_t)n);
	}
	if (n < 0)
		err = -errno;
	else if (out->failed)
		err = -ENOMEM;
out:
	close(fd);
	return err;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_file_replace(int dirfd, const char *name, const void *buf, size_t len)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (!err && fsync(fd) < 0)
		err = -errno;
	close(fd);
	if (!err && renameat(dirfd, tmp, dirfd, name) < 0)
		err = -errno;
	/* The rename itself must reach the disk before it is relied on. */
	if (!err && fsync(dirfd) < 0)
		err = -errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	return err;
}

int state_file_open_append(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? -errno : fd;
}

int state_file_append(int fd, const void *buf, size_t len, bool sync)
{
	int err = write_all(fd, buf, len);

	if (!err && sync && fdatasync(fd) < 0)
		err = -errno;
	return err;
}
