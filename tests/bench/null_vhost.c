/*
 * null_vhost: a vhost-user virtio-fs back-end that does nothing but
 * move requests and replies: the floor of any back-end on this machine.
 * It takes the chains of every ring a kick announces, answers each from
 * memory (lib/fuse/null_reply: no file, no syscall), moves the bytes a
 * daemon must move (a WRITE's data read out of guest memory once, a
 * READ's written into it once), and calls the driver once per batch.
 * Started like virtiofsd, on the listening socket at --fd.
 *
 *   null_vhost --fd=N [--queues=N]     (other arguments are ignored)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuse/null_reply.h"
#include "transport/vhost_user_back.h"

#define REQ_MAX ((1u << 20) + 4096)

static char req[REQ_MAX], zeros[1u << 20];

/* One chain: its request gathered, its reply written; the bytes written. */
static uint32_t serve(const struct virtq_elem *e)
{
	char reply[NULL_REPLY_HEAD];
	size_t n = 0, room = 0, rlen, data_at, data_len;

	n = virtq_elem_gather(e, req, sizeof(req));
	if (!n)
		return 0;
	for (int k = 0; k < e->nin; k++)
		room += e->in[k].len;
	rlen = null_reply(req, n, reply, room, &data_at, &data_len);
	if (!rlen)
		return 0;
	virtq_elem_put(e, 0, reply, data_len ? data_at : rlen);
	if (data_len) {
		if (data_len > sizeof(zeros) || data_at + data_len > room)
			return 0;
		virtq_elem_put(e, data_at, zeros, data_len);
	}
	return (uint32_t)rlen;
}

/* Every chain ring @i has, then one call. */
static void drain(struct vu_back *b, int i)
{
	struct virtq_elem e;
	const char *why;
	int pushed = 0, r;

	while ((r = virtq_pop(&b->ring[i].q, &e, &why)) != 0) {
		if (r < 0) {
			fprintf(stderr, "null_vhost: refused a chain on queue %d: %s\n", i, why);
			if (e.head >= b->ring[i].num)
				continue;
			e.nin = 0;
		}
		virtq_push(&b->ring[i].q, e.head, r < 0 ? 0 : serve(&e));
		pushed++;
	}
	if (pushed)
		vu_back_notify(b, i);
}

int main(int argc, char **argv)
{
	struct vu_back b;
	int lfd = -1, queues = 1, sock;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--fd=", 5))
			lfd = atoi(argv[i] + 5);
		else if (!strncmp(argv[i], "--queues=", 9))
			queues = atoi(argv[i] + 9);
	}
	if (lfd < 0 || queues < 1 || queues > VU_BACK_MAX_QUEUES - 2) {
		fprintf(stderr, "usage: null_vhost --fd=N [--queues=1..%d]\n", VU_BACK_MAX_QUEUES - 2);
		return 2;
	}
	sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0) {
		perror("null_vhost: accept");
		return 1;
	}
	close(lfd);
	vu_back_init(&b, sock, queues, "null", 0);
	for (;;) {
		struct pollfd p[1 + VU_BACK_MAX_QUEUES];
		int ring_of[1 + VU_BACK_MAX_QUEUES], np = 1;

		p[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
		for (int i = 0; i < b.nqueues; i++)
			if (vu_back_ring_ready(&b, i)) {
				ring_of[np] = i;
				p[np++] = (struct pollfd){ .fd = b.ring[i].kick, .events = POLLIN };
			}
		if (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR)
			break;
		for (int k = 1; k < np; k++) {
			uint64_t v;

			if (!(p[k].revents & POLLIN))
				continue;
			if (read(p[k].fd, &v, sizeof(v)) < 0) {
				/* drained already: the ring says what there is */
			}
			drain(&b, ring_of[k]);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = vu_back_handle(&b, 5000);

			if (r == -EPIPE || r == -EPROTO || r == -ETIMEDOUT)
				break;
		}
	}
	vu_back_release(&b);
	close(sock);
	return 0;
}
