/* fuse_pairing: open addressing, 8 probes, then the oldest slot of the run goes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fuse_pairing.h"

#define PROBES 8

int fuse_pairing_init(struct fuse_pairing *p, size_t capacity)
{
	size_t cap = 16;

	while (cap < capacity)
		cap *= 2;
	p->sends = calloc(cap, sizeof(*p->sends));
	p->used = calloc(cap, sizeof(*p->used));
	p->capacity = cap;
	p->dropped = 0;
	if (!p->sends || !p->used) {
		fuse_pairing_release(p);
		return -ENOMEM;
	}
	return 0;
}

void fuse_pairing_release(struct fuse_pairing *p)
{
	free(p->sends);
	free(p->used);
	p->sends = NULL;
	p->used = NULL;
}

static size_t slot_of(const struct fuse_pairing *p, unsigned conn, unsigned long long unique)
{
	unsigned long long h = (unique ^ ((unsigned long long)conn << 40)) * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 20) & (p->capacity - 1);
}

void fuse_pairing_send(struct fuse_pairing *p, const struct event *send)
{
	size_t s = slot_of(p, send->connection, send->unique), victim = s;

	for (int i = 0; i < PROBES; i++) {
		size_t k = (s + (size_t)i) & (p->capacity - 1);

		if (!p->used[k]) {
			victim = k;
			goto put;
		}
		if (p->sends[k].ts_ns < p->sends[victim].ts_ns)
			victim = k;
	}
	p->dropped++;
put:
	p->sends[victim] = *send;
	p->used[victim] = true;
}

bool fuse_pairing_end(struct fuse_pairing *p, const struct event *end, struct event *out)
{
	size_t s = slot_of(p, end->connection, end->unique);

	for (int i = 0; i < PROBES; i++) {
		size_t k = (s + (size_t)i) & (p->capacity - 1);
		struct event *send = &p->sends[k];

		if (!p->used[k] || send->connection != end->connection || send->unique != end->unique)
			continue;
		*out = *end;
		out->kind = EV_FUSE;
		out->opcode = send->opcode;
		out->req_pid = send->pid;
		out->latency_ns = end->ts_ns >= send->ts_ns ? end->ts_ns - send->ts_ns : 0;
		p->used[k] = false;
		return true;
	}
	return false;
}
