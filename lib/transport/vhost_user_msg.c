/*
 * vhost_user_msg: framing on a unix stream socket. The fds of a message
 * come as ancillary data with its first bytes; the rest may arrive in
 * pieces, and every wait is bounded by the caller's time limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/vhost_user_msg.h"
#include "util/mono_clock.h"

const char *vhost_user_request_name(uint32_t request)
{
	static const char *const names[] = {
		[1] = "GET_FEATURES", [2] = "SET_FEATURES", [3] = "SET_OWNER",
		[4] = "RESET_OWNER", [5] = "SET_MEM_TABLE", [6] = "SET_LOG_BASE",
		[7] = "SET_LOG_FD", [8] = "SET_VRING_NUM", [9] = "SET_VRING_ADDR",
		[10] = "SET_VRING_BASE", [11] = "GET_VRING_BASE", [12] = "SET_VRING_KICK",
		[13] = "SET_VRING_CALL", [14] = "SET_VRING_ERR",
		[15] = "GET_PROTOCOL_FEATURES", [16] = "SET_PROTOCOL_FEATURES",
		[17] = "GET_QUEUE_NUM", [18] = "SET_VRING_ENABLE", [24] = "GET_CONFIG",
		[25] = "SET_CONFIG", [34] = "RESET_DEVICE", [36] = "GET_MAX_MEM_SLOTS",
		[42] = "SET_DEVICE_STATE_FD", [43] = "CHECK_DEVICE_STATE",
	};

	return request < sizeof(names) / sizeof(names[0]) ? names[request] : NULL;
}

int vhost_user_send(int sock, const struct vhost_user_msg *m)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)] = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = (void *)&m->h, .iov_len = sizeof(m->h) },
		{ .iov_base = (void *)&m->p, .iov_len = m->h.size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t want = sizeof(m->h) + m->h.size;
	ssize_t n;

	if (m->h.size > VHOST_USER_PAYLOAD_MAX || m->nfds < 0 || m->nfds > VHOST_USER_MAX_FDS)
		return -EINVAL;
	if (m->nfds) {
		struct cmsghdr *c;

		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)m->nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)m->nfds);
		memcpy(CMSG_DATA(c), m->fds, sizeof(int) * (size_t)m->nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	/* A unix stream socket takes a small message whole or not at all. */
	return (size_t)n == want ? 0 : -EIO;
}

/* Waits until @sock is readable before @deadline (-1: none). */
static int wait_readable(int sock, long long deadline)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	int r;

	do {
		int left = deadline < 0 ? -1 : (int)(deadline - mono_ms());

		if (deadline >= 0 && left < 0)
			left = 0;
		r = poll(&p, 1, left);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

void vhost_user_close_fds(struct vhost_user_msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

/* The rest of @len bytes into @p, after @got already came. */
static int read_rest(int sock, void *p, size_t len, size_t got, long long deadline)
{
	while (got < len) {
		ssize_t n;
		int r = wait_readable(sock, deadline);

		if (r)
			return r;
		n = recv(sock, (char *)p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		if (n == 0)
			return -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int vhost_user_recv(int sock, struct vhost_user_msg *m, int timeout_ms)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct iovec iov = { .iov_base = &m->h, .iov_len = sizeof(m->h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = control, .msg_controllen = sizeof(control) };
	long long deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	ssize_t n;
	int r;

	m->nfds = 0;
	r = wait_readable(sock, deadline);
	if (r)
		return r;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	if (n == 0)
		return -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->nfds < VHOST_USER_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	r = read_rest(sock, &m->h, sizeof(m->h), (size_t)n, deadline);
	if (!r && ((m->h.flags & 3) != VHOST_USER_VERSION || m->h.size > VHOST_USER_PAYLOAD_MAX))
		r = -EPROTO;
	if (!r)
		r = read_rest(sock, &m->p, m->h.size, 0, deadline);
	if (r)
		vhost_user_close_fds(m);
	return r;
}
