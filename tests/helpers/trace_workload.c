/*
 * trace_workload: makes the calls vfs-trace's tests look for, in order,
 * after reading one line from standard input (so the tracer can attach
 * to this pid first). Each argument is one action:
 *
 *   name:PATH            name_to_handle_at(PATH)
 *   overflow:PATH        name_to_handle_at(PATH) with a 0-byte buffer (EOVERFLOW)
 *   open:MOUNTDIR:HANDLE open_by_handle_at(MOUNTDIR, HANDLE) (TYPE:HEX)
 *   badfd:HANDLE         open_by_handle_at(-1, HANDLE) (EBADF)
 *   stat:PATH            stat(PATH)
 *
 * and prints one line per action: the action and its errno or "ok".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "util/handle_text.h"

int main(int argc, char **argv)
{
	char line[64];

	if (!fgets(line, sizeof(line), stdin))
		return 2;
	for (int i = 1; i < argc; i++) {
		char *a = strdup(argv[i]), *arg = strchr(a, ':');
		union handle_buf h;
		struct stat st;
		int mnt, r = -1, fd;

		if (!arg)
			return 2;
		*arg++ = '\0';
		h.fh.handle_bytes = MAX_HANDLE_SZ;
		if (!strcmp(a, "name")) {
			r = name_to_handle_at(AT_FDCWD, arg, &h.fh, &mnt, 0);
		} else if (!strcmp(a, "overflow")) {
			h.fh.handle_bytes = 0;
			r = name_to_handle_at(AT_FDCWD, arg, &h.fh, &mnt, 0);
		} else if (!strcmp(a, "open")) {
			char *hs = strchr(arg, ':');

			*hs++ = '\0';
			fd = open(arg, O_RDONLY | O_DIRECTORY);
			if (handle_text_parse(hs, &h) == 0)
				r = open_by_handle_at(fd, &h.fh, O_RDONLY);
		} else if (!strcmp(a, "badfd")) {
			if (handle_text_parse(arg, &h) == 0)
				r = open_by_handle_at(-1, &h.fh, O_RDONLY);
		} else if (!strcmp(a, "stat")) {
			r = stat(arg, &st);
		}
		printf("%s %s\n", a, r < 0 ? errno_name(errno) : "ok");
		fflush(stdout);
		free(a);
	}
	return 0;
}
