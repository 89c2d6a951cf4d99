/*
 * vhost_user_back_state: device state for the back-end. The transfer
 * runs on a thread of its own beside the message loop, as the protocol
 * lets the front-end read or write the pipe only after our reply; the
 * reply says the front-end's fd is used (none of ours comes back).
 * CHECK_DEVICE_STATE waits for it and, for a load, has the state taken
 * then: nothing of a state is believed before it is whole. A front-end
 * that never closes or never drains the pipe costs a timeout, not a hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "transport/vhost_user_back.h"
#include "transport/vhost_user_state.h"

#define XFER_TIMEOUT_MS 30000

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, XFER_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : n == 0 ? -ETIMEDOUT : -errno;
}

static void *save_thread(void *arg)
{
	struct vu_back_transfer *x = arg;
	size_t done = 0;

	while (!x->result && done < x->data.len) {
		ssize_t n;

		x->result = wait_fd(x->fd, POLLOUT);
		if (x->result)
			break;
		n = write(x->fd, x->data.buf + done, x->data.len - done);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			x->result = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (x->result)
		errbuf_set(&x->err, x->result, "writing the state (%zu of %zu bytes)", done,
			   x->data.len);
	close(x->fd); /* its EOF: the state is whole */
	x->fd = -1;
	return NULL;
}

static void *load_thread(void *arg)
{
	struct vu_back_transfer *x = arg;
	char buf[65536];

	for (;;) {
		ssize_t n;

		x->result = wait_fd(x->fd, POLLIN);
		if (x->result)
			break;
		n = read(x->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			x->result = n < 0 ? -errno : 0;
			break;
		}
		if (x->data.len + (size_t)n > VU_STATE_MAX) {
			x->result = -E2BIG;
			break;
		}
		strbuf_add(&x->data, buf, (size_t)n);
	}
	if (!x->result && x->data.failed)
		x->result = -ENOMEM;
	if (x->result)
		errbuf_set(&x->err, x->result, "reading the state (%zu bytes in)", x->data.len);
	close(x->fd);
	x->fd = -1;
	return NULL;
}

static void join(struct vu_back *b)
{
	if (b->xfer.running)
		pthread_join(b->xfer.thread, NULL);
	b->xfer.running = false;
}

void vu_back_state_release(struct vu_back *b)
{
	join(b);
	strbuf_release(&b->xfer.data);
}

static int set_fd(struct vu_back *b, struct vhost_user_msg *m, bool *replied)
{
	struct vu_back_transfer *x = &b->xfer;
	const struct vhost_user_transfer_state *t = &m->p.transfer;
	int r;

	if (m->h.size != sizeof(*t) || m->nfds != 1)
		return errbuf_set(&b->err, -EINVAL, "SET_DEVICE_STATE_FD: %u bytes, %d fds",
				  m->h.size, m->nfds);
	if (t->phase != VHOST_TRANSFER_STATE_PHASE_STOPPED ||
	    (t->direction != VHOST_TRANSFER_STATE_SAVE && t->direction != VHOST_TRANSFER_STATE_LOAD))
		return errbuf_set(&b->err, -EINVAL, "SET_DEVICE_STATE_FD: direction %u, phase %u",
				  t->direction, t->phase);
	for (int i = 0; i < b->nqueues; i++)
		if (b->ring[i].started)
			return errbuf_set(&b->err, -EBUSY, "SET_DEVICE_STATE_FD: ring %d still runs "
					  "(GET_VRING_BASE stops it first)", i);
	join(b); /* a transfer nobody checked: it is over, its result is dropped */
	strbuf_reset(&x->data);
	x->result = 0;
	x->err.msg[0] = '\0';
	x->direction = t->direction;
	if (t->direction == VHOST_TRANSFER_STATE_SAVE) {
		r = b->state.save(b->state.arg, &x->data, &x->err);
		if (r) {
			*replied = true;
			errbuf_set(&b->err, r, "SET_DEVICE_STATE_FD: the state cannot be saved: %s",
				   x->err.msg);
			vu_back_reply_u64(b, m, 1);
			return r;
		}
	}
	x->fd = m->fds[0];
	m->fds[0] = -1;
	r = -pthread_create(&x->thread, NULL,
			    t->direction == VHOST_TRANSFER_STATE_SAVE ? save_thread : load_thread, x);
	if (r) {
		close(x->fd);
		x->fd = -1;
		return errbuf_set(&b->err, r, "SET_DEVICE_STATE_FD: no transfer thread");
	}
	x->running = true;
	b->state_checked = false;
	*replied = true;
	return vu_back_reply_u64(b, m, VHOST_USER_STATE_FD_INVALID);
}

static int check(struct vu_back *b, struct vhost_user_msg *m, bool *replied)
{
	struct vu_back_transfer *x = &b->xfer;
	int r;

	if (m->h.size != 0)
		return errbuf_set(&b->err, -EINVAL, "CHECK_DEVICE_STATE: %u bytes", m->h.size);
	*replied = true;
	if (!x->running || b->state_checked) {
		errbuf_set(&b->err, -EINVAL, "CHECK_DEVICE_STATE: no transfer to check");
		vu_back_reply_u64(b, m, 1);
		return -EINVAL;
	}
	join(b);
	b->state_checked = true;
	r = x->result;
	if (!r && x->direction == VHOST_TRANSFER_STATE_LOAD)
		r = b->state.load(b->state.arg, x->data.buf, x->data.len, &x->err);
	strbuf_reset(&x->data);
	if (r)
		errbuf_set(&b->err, r, "CHECK_DEVICE_STATE: the %s failed: %s",
			   x->direction == VHOST_TRANSFER_STATE_SAVE ? "save" : "load", x->err.msg);
	if (vu_back_reply_u64(b, m, r ? 1 : 0) == -EPIPE)
		return -EPIPE;
	return r;
}

int vu_back_state_message(struct vu_back *b, struct vhost_user_msg *m, bool *replied)
{
	int r = m->h.request == VHOST_USER_SET_DEVICE_STATE_FD ? set_fd(b, m, replied)
							       : check(b, m, replied);

	/* Both always answer: a refusal is a failing result, never silence. */
	if (r && r != -EPIPE && !*replied) {
		*replied = true;
		if (vu_back_reply_u64(b, m, 1) == -EPIPE)
			return -EPIPE;
	}
	return r;
}
