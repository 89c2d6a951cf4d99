/*
 * errbuf: what failed, in words, for the caller to print. The library
 * never prints and never names a program; a function that can fail in
 * more than one way fills an errbuf and returns -errno, and cmd/ prints
 * "TOOL: MESSAGE".
 */
#ifndef VFS_ERRBUF_H
#define VFS_ERRBUF_H

struct errbuf {
	char msg[512];
};

/*
 * Sets @e to the formatted text, followed by ": " and strerror(-@err)
 * when @err is negative; returns @err, so "return errbuf_set(...)" works.
 */
int errbuf_set(struct errbuf *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
