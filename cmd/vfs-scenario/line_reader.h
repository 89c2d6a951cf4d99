/*
 * line_reader: whole lines from a socket another program writes (the
 * guest's agent, QEMU's QMP), each read within a time limit, with what
 * came after a line kept for the next.
 */
#ifndef VFS_SCENARIO_LINE_READER_H
#define VFS_SCENARIO_LINE_READER_H

#include <stddef.h>

struct line_reader {
	int fd;
	char buf[4096]; /* read ahead */
	size_t len;
};

/*
 * The next line, without its newline, into @line (room @len) within @ms:
 * 0, -ETIMEDOUT, -EPIPE (the other end is gone), -E2BIG, -EINTR.
 */
int line_read(struct line_reader *lr, char *line, size_t len, int ms);

#endif
