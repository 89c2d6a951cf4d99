/*
 * socket_io: libfuse reads whatever our read() returns as a request, and
 * ends the session on a short one; so refused requests are answered (or
 * dropped) here and the next packet read, and end of file is reported as
 * ENODEV, which libfuse takes for an unmount. STATX, TMPFILE and
 * COPY_FILE_RANGE_64, which libfuse 3.14 cannot dispatch, are served here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/fuse.h>

#include "fuse/fuse_ops_newer.h"
#include "fuse/request_check.h"
#include "socket_io.h"
#include "util/errno_name.h"
#include "util/unix_socket.h"

int socket_io_listen(const char *path, struct errbuf *e)
{
	return unix_listen(path, SOCK_SEQPACKET, e);
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)count };
	ssize_t n;

	(void)userdata;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

/* One client per process. */
static struct fuse_request_gate gate;

static void refuse(int fd, uint64_t unique, int err, const char *why)
{
	struct fuse_out_header o = { .len = sizeof(o), .error = -err, .unique = unique };

	fprintf(stderr, "vfs-serve: refused a request (%s)%s%s\n", why,
		unique ? ": " : ", no reply possible", unique ? errno_name(err) : "");
	if (unique && send(fd, &o, sizeof(o), MSG_NOSIGNAL) < 0) {
		/* the client is gone: the next read says so */
	}
}

/* @userdata: the session's, the passthrough, for the requests served here. */
static ssize_t io_read(int fd, void *buf, size_t buf_len, void *userdata)
{
	for (;;) {
		uint64_t unique;
		const char *why;
		ssize_t n = recv(fd, buf, buf_len - 1, MSG_TRUNC);
		int err;

		if (n < 0 && errno == EINTR)
			continue;
		/* A client that hangs up with a reply unread resets the connection. */
		if (n < 0 && errno != ECONNRESET)
			return -1;
		if (n <= 0) {
			errno = ENODEV; /* the client hung up: libfuse ends the session */
			return -1;
		}
		if ((size_t)n > buf_len - 1) {
			refuse(fd, 0, 0, "larger than the largest request");
			continue;
		}
		err = fuse_request_check(buf, (size_t)n, &unique, &why);
		if (!err)
			err = fuse_request_gate(&gate, buf, &why);
		if (err) {
			refuse(fd, unique, -err, why);
			continue;
		}
		if (fuse_ops_newer_has(((struct fuse_in_header *)buf)->opcode)) {
			struct fuse_newer_reply reply;

			fuse_ops_newer_serve(userdata, buf, (size_t)n, &reply);
			if (send(fd, &reply, reply.h.len, MSG_NOSIGNAL) < 0) {
				/* the client is gone: the next read says so */
			}
			continue;
		}
		return n;
	}
}

int socket_io_attach(struct fuse_session *se, int listen_fd, struct errbuf *e)
{
	static const struct fuse_custom_io io = { .writev = io_writev, .read = io_read };
	int fd, r;

	do
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR && !fuse_session_exited(se));
	if (fd < 0)
		return errbuf_set(e, -errno, "accept on the FUSE socket");
	close(listen_fd);
	r = fuse_session_custom_io(se, &io, fd);
	if (r) {
		close(fd);
		return errbuf_set(e, r, "fuse_session_custom_io");
	}
	return 0;
}
