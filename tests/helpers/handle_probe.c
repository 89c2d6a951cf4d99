/*
 * handle_probe: file handles from the shell, as a guest program uses them.
 *
 *   handle_probe get PATH              prints "TYPE:HEX" of PATH's handle
 *   handle_probe get-connectable PATH  the same, AT_HANDLE_CONNECTABLE
 *                                      (its parent in it: fstests -N)
 *   handle_probe open MOUNTDIR HANDLE  opens HANDLE through MOUNTDIR and
 *                                      prints the file's first line
 *                                      ("(directory)" for a directory)
 *   handle_probe fuse NODEID GEN       prints the handle the FUSE kernel
 *                                      module makes for (nodeid, generation)
 *   handle_probe decode HANDLE         prints "NODEID GEN" of a FUSE handle
 *
 * "open" prints the errno name and exits 1 when open_by_handle_at fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AT_HANDLE_CONNECTABLE
#define AT_HANDLE_CONNECTABLE 0x002 /* Linux 6.13 */
#endif

#include "util/errno_name.h"
#include "util/handle_text.h"

static void print_handle(const union handle_buf *h)
{
	char text[HANDLE_TEXT_MAX];

	printf("%s\n", handle_text_format(&h->fh, text, sizeof(text)));
}

static int fail(const char *what)
{
	const char *n = errno_name(errno);

	printf("%s\n", n ? n : "?");
	fprintf(stderr, "handle_probe: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	union handle_buf h;
	int mnt_id, mfd, fd;

	if (argc == 3 && (!strcmp(argv[1], "get") || !strcmp(argv[1], "get-connectable"))) {
		int flags = strcmp(argv[1], "get") ? AT_HANDLE_CONNECTABLE : 0;

		h.fh.handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, argv[2], &h.fh, &mnt_id, flags) < 0)
			return fail("name_to_handle_at");
		print_handle(&h);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "open")) {
		char buf[256] = "";
		struct stat st;
		ssize_t n;

		if (handle_text_parse(argv[3], &h)) {
			fprintf(stderr, "handle_probe: bad handle '%s'\n", argv[3]);
			return 2;
		}
		mfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (mfd < 0)
			return fail(argv[2]);
		fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
		if (fd < 0)
			return fail("open_by_handle_at");
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			printf("(directory)\n");
			return 0;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s\n", buf);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "fuse")) {
		uint64_t nodeid = strtoull(argv[2], NULL, 0);
		uint32_t gen = (uint32_t)strtoul(argv[3], NULL, 0);
		uint32_t w[3] = { (uint32_t)(nodeid >> 32), (uint32_t)nodeid, gen };

		/* fuse_encode_fh: FILEID_INO64_GEN (0x81), three u32 words. */
		h.fh.handle_type = 0x81;
		h.fh.handle_bytes = sizeof(w);
		memcpy(h.fh.f_handle, w, sizeof(w));
		print_handle(&h);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "decode")) {
		uint32_t w[3];

		if (handle_text_parse(argv[2], &h) || h.fh.handle_bytes < sizeof(w)) {
			fprintf(stderr, "handle_probe: not a FUSE handle '%s'\n", argv[2]);
			return 2;
		}
		memcpy(w, h.fh.f_handle, sizeof(w));
		printf("%llu %u\n", ((unsigned long long)w[0] << 32) | w[1], w[2]);
		return 0;
	}
	fprintf(stderr, "usage: handle_probe get|get-connectable PATH | open MOUNTDIR HANDLE | "
		"fuse NODEID GEN | decode HANDLE\n");
	return 2;
}
