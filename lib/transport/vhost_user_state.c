/*
 * vhost_user_state: the transfer runs beside the reply. A back-end may
 * write the state before it answers SET_DEVICE_STATE_FD or after, so the
 * pipe is as large as Linux allows and every wait is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "transport/vhost_user_state.h"
#include "util/mono_clock.h"

static bool offered(const struct vu_front *f)
{
	return f->protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE);
}

/*
 * SET_DEVICE_STATE_FD in @direction with @fd (closed here once sent). 0
 * with @theirs -1 (the transfer uses the other end of @fd's pipe) or the
 * back-end's own fd, when it took none; or -errno.
 */
static int set_state_fd(struct vu_front *f, uint32_t direction, int fd, int *theirs)
{
	struct vhost_user_msg m = { .h = { VHOST_USER_SET_DEVICE_STATE_FD, VHOST_USER_VERSION,
					   sizeof(m.p.transfer) }, .nfds = 1 };
	int r;

	*theirs = -1;
	m.p.transfer = (struct vhost_user_transfer_state){ .direction = direction,
							   .phase = VHOST_TRANSFER_STATE_PHASE_STOPPED };
	m.fds[0] = fd;
	r = vhost_user_send(f->sock, &m);
	close(fd);
	if (!r)
		r = vhost_user_recv(f->sock, &m, f->timeout_ms);
	if (r) {
		f->gone = r == -EPIPE;
		return errbuf_set(&f->err, r, "SET_DEVICE_STATE_FD: %s", r == -EPIPE ?
				  "the back-end is gone" : "no reply");
	}
	if (m.h.request != VHOST_USER_SET_DEVICE_STATE_FD || !(m.h.flags & VHOST_USER_FLAG_REPLY) ||
	    m.h.size != 8) {
		vhost_user_close_fds(&m);
		return errbuf_set(&f->err, -EPROTO, "SET_DEVICE_STATE_FD: the reply is request %u, "
				  "flags %#x, size %u", m.h.request, m.h.flags, m.h.size);
	}
	if (m.p.u64 & 0xff) {
		vhost_user_close_fds(&m);
		return errbuf_set(&f->err, -EIO, "SET_DEVICE_STATE_FD: the back-end refused it "
				  "(error %llu)", (unsigned long long)(m.p.u64 & 0xff));
	}
	/* Bit 8 set: no fd in the reply, ours is taken; clear: the back-end's own comes. */
	if (m.p.u64 & VHOST_USER_STATE_FD_INVALID) {
		vhost_user_close_fds(&m);
		return 0;
	}
	if (m.nfds != 1) {
		vhost_user_close_fds(&m);
		return errbuf_set(&f->err, -EPROTO, "SET_DEVICE_STATE_FD: the reply says a fd "
				  "of the back-end's comes (bit 8 clear), and %d came", m.nfds);
	}
	*theirs = m.fds[0];
	return 0;
}

static int check_state(struct vu_front *f, const char *what)
{
	uint64_t result = 0;
	int r = vu_front_message(f, VHOST_USER_CHECK_DEVICE_STATE, NULL, 0, NULL, 0, &result);

	if (r)
		return r;
	if (result)
		return errbuf_set(&f->err, -EIO, "CHECK_DEVICE_STATE after the %s: the back-end "
				  "says it failed (%llu)", what, (unsigned long long)result);
	return 0;
}

/* Waits for @fd to be ready for @events until @deadline: 0 or -ETIMEDOUT. */
static int ready(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	do {
		left = deadline - mono_ms();
		n = left > 0 ? poll(&p, 1, (int)left) : 0;
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -ETIMEDOUT;
}

int vu_front_save_state(struct vu_front *f, struct strbuf *state)
{
	long long deadline;
	int p[2], theirs, fd, r;
	char buf[65536];

	if (!offered(f))
		return errbuf_set(&f->err, -EOPNOTSUPP, "the back-end does not offer DEVICE_STATE");
	if (pipe2(p, O_CLOEXEC) < 0)
		return errbuf_set(&f->err, -errno, "pipe");
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20); /* best effort: the reads below drain it anyway */
	r = set_state_fd(f, VHOST_TRANSFER_STATE_SAVE, p[1], &theirs);
	if (r) {
		close(p[0]);
		return r;
	}
	fd = theirs >= 0 ? theirs : p[0];
	if (theirs >= 0)
		close(p[0]);
	deadline = mono_ms() + f->timeout_ms;
	for (;;) {
		ssize_t n;

		r = ready(fd, POLLIN, deadline);
		if (r) {
			errbuf_set(&f->err, r, "the back-end's state did not end within %d ms",
				   f->timeout_ms);
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? errbuf_set(&f->err, -errno, "reading the state") : 0;
			break;
		}
		if (state->len + (size_t)n > VU_STATE_MAX) {
			r = errbuf_set(&f->err, -E2BIG, "the state is over %u bytes", VU_STATE_MAX);
			break;
		}
		strbuf_add(state, buf, (size_t)n);
	}
	close(fd);
	return r ? r : check_state(f, "save");
}

int vu_front_load_state(struct vu_front *f, const void *state, size_t len)
{
	long long deadline;
	size_t done = 0;
	int p[2], theirs, fd, r;

	if (!offered(f))
		return errbuf_set(&f->err, -EOPNOTSUPP, "the back-end does not offer DEVICE_STATE");
	if (pipe2(p, O_CLOEXEC) < 0)
		return errbuf_set(&f->err, -errno, "pipe");
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	r = set_state_fd(f, VHOST_TRANSFER_STATE_LOAD, p[0], &theirs);
	if (r) {
		close(p[1]);
		return r;
	}
	fd = theirs >= 0 ? theirs : p[1];
	if (theirs >= 0)
		close(p[1]);
	deadline = mono_ms() + f->timeout_ms;
	while (!r && done < len) {
		ssize_t n;

		r = ready(fd, POLLOUT, deadline);
		if (r) {
			errbuf_set(&f->err, r, "the back-end did not take the state within %d ms",
				   f->timeout_ms);
			break;
		}
		n = write(fd, (const char *)state + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = errbuf_set(&f->err, -errno, "writing the state");
		else
			done += (size_t)n;
	}
	close(fd); /* its EOF: the state is whole */
	return r ? r : check_state(f, "load");
}
