/*
 * workload: the benchmark workloads, each printing one line
 * "ok SECONDS COUNT" or "fail ERRNO COUNT" (COUNT: what was done before
 * the error), so that run.sh can tabulate them.
 *
 *   workload mktree DIR DIRS FILES SIZE   make DIR/dI/fJ (not timed output)
 *   workload walk DIR                     readdir + lstat every entry
 *   workload createunlink DIR N           create N empty files, unlink them
 *   workload read DIR                     read every file of DIR/d*\/
 *   workload statloop PATH N              lstat PATH N times
 *   workload statany PATH N               the same, failures counted, not fatal
 *   workload handles PATH N [RATE]        name_to_handle_at PATH N times, at most
 *                                         RATE calls a second
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/errno_name.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long count;
static int err;

static void walk(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	struct stat st;

	if (!d) {
		err = errno;
		close(dfd);
		return;
	}
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			err = errno;
			break;
		}
		count++;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY);

			if (sub < 0)
				err = errno;
			else
				walk(sub);
		}
	}
	closedir(d);
}

static void read_all(const char *dir)
{
	char path[4096], buf[65536];
	DIR *top = opendir(dir), *d;
	struct dirent *e, *f;

	if (!top) {
		err = errno;
		return;
	}
	while (!err && (e = readdir(top))) {
		if (e->d_name[0] != 'd')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(d = opendir(path))) {
			err = errno;
			break;
		}
		while (!err && (f = readdir(d))) {
			int fd;
			ssize_t n;

			if (f->d_name[0] != 'f')
				continue;
			fd = openat(dirfd(d), f->d_name, O_RDONLY);
			if (fd < 0) {
				err = errno;
				break;
			}
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				;
			if (n < 0)
				err = errno;
			close(fd);
			count++;
		}
		closedir(d);
	}
	closedir(top);
}

int main(int argc, char **argv)
{
	double t0 = now();

	if (argc == 6 && !strcmp(argv[1], "mktree")) {
		long dirs = atol(argv[3]), files = atol(argv[4]), size = atol(argv[5]);
		char path[4096], *data = calloc(1, (size_t)size + 1);

		for (long i = 0; i < dirs && !err; i++) {
			snprintf(path, sizeof(path), "%s/d%ld", argv[2], i);
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				err = errno;
			for (long j = 0; j < files && !err; j++) {
				int fd;

				snprintf(path, sizeof(path), "%s/d%ld/f%ld", argv[2], i, j);
				fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
				if (fd < 0 || (size && write(fd, data, (size_t)size) != size))
					err = errno;
				if (fd >= 0)
					close(fd);
				count++;
			}
		}
		free(data);
	} else if (argc == 3 && !strcmp(argv[1], "walk")) {
		int fd = open(argv[2], O_RDONLY | O_DIRECTORY);

		if (fd < 0)
			err = errno;
		else
			walk(fd);
	} else if (argc == 4 && !strcmp(argv[1], "createunlink")) {
		long n = atol(argv[3]);
		int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		char name[32];

		for (long i = 0; i < n && !err; i++) {
			int fd;

			snprintf(name, sizeof(name), "c%ld", i);
			fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0)
				err = errno;
			else
				close(fd);
		}
		for (long i = 0; i < n && !err; i++) {
			snprintf(name, sizeof(name), "c%ld", i);
			if (unlinkat(dfd, name, 0) < 0)
				err = errno;
			else
				count++;
		}
		close(dfd);
	} else if (argc == 3 && !strcmp(argv[1], "read")) {
		read_all(argv[2]);
	} else if (argc == 4 && !strcmp(argv[1], "statloop")) {
		long n = atol(argv[3]);
		struct stat st;

		for (long i = 0; i < n && !err; i++, count++)
			if (lstat(argv[2], &st) < 0)
				err = errno;
	} else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "handles")) {
		long n = atol(argv[3]);
		double rate = argc == 5 ? atof(argv[4]) : 0;
		union {
			struct file_handle fh;
			char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
		} h;
		int mnt;

		for (long i = 0; i < n; i++) {
			/* Paced: never ahead of i / rate seconds since the start. */
			while (rate > 0 && now() - t0 < (double)i / rate)
				;
			h.fh.handle_bytes = MAX_HANDLE_SZ;
			count += name_to_handle_at(AT_FDCWD, argv[2], &h.fh, &mnt, 0) < 0;
		}
	} else if (argc == 4 && !strcmp(argv[1], "statany")) {
		long n = atol(argv[3]);
		struct stat st;

		for (long i = 0; i < n; i++)
			count += lstat(argv[2], &st) < 0;
	} else {
		fprintf(stderr, "usage: see the comment at the top of workload.c\n");
		return 2;
	}
	if (err)
		printf("fail %s %ld\n", errno_name(err) ? errno_name(err) : "?", count);
	else
		printf("ok %.6f %ld\n", now() - t0, count);
	return err ? 1 : 0;
}
