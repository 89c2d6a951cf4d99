/*
 * handle_calls: makes file-handle system calls and says how each went,
 * one line per call ("N ok" or "N ERRNO"), for vfs-inject's tests.
 *
 *   handle_calls name PATH N        N name_to_handle_at calls on PATH
 *   handle_calls open PATH N        one handle, then N open_by_handle_at
 *   handle_calls fork PATH          one name_to_handle_at here, one in a child
 *   handle_calls loop PATH          name_to_handle_at until one fails
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "util/handle_text.h"

static int get(const char *path, union handle_buf *h)
{
	int mnt;

	h->fh.handle_bytes = MAX_HANDLE_SZ;
	return name_to_handle_at(AT_FDCWD, path, &h->fh, &mnt, 0) < 0 ? errno : 0;
}

static void say(const char *who, int n, int err)
{
	printf("%s%d %s\n", who, n, err ? errno_name(err) : "ok");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	union handle_buf h;
	int n = argc > 3 ? atoi(argv[3]) : 1, mfd, fd, err;

	if (argc < 3) {
		fprintf(stderr, "usage: handle_calls name|open|fork|loop PATH [N]\n");
		return 2;
	}
	if (!strcmp(argv[1], "name")) {
		for (int i = 1; i <= n; i++)
			say("", i, get(argv[2], &h));
	} else if (!strcmp(argv[1], "open")) {
		if ((err = get(argv[2], &h))) {
			say("name ", 1, err);
			return 1;
		}
		mfd = open("/", O_RDONLY | O_DIRECTORY);
		for (int i = 1; i <= n; i++) {
			fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
			say("", i, fd < 0 ? errno : 0);
			if (fd >= 0)
				close(fd);
		}
	} else if (!strcmp(argv[1], "fork")) {
		pid_t pid;

		say("parent ", 1, get(argv[2], &h));
		pid = fork();
		if (pid == 0) {
			say("child ", 1, get(argv[2], &h));
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(argv[1], "loop")) {
		for (int i = 1;; i++) {
			err = get(argv[2], &h);
			if (err) {
				say("", i, err);
				return 3;
			}
		}
	} else {
		return 2;
	}
	return 0;
}
