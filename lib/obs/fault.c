/*
 * fault: schedules are counted from the moment a point is armed, so that a
 * scenario can say "the second lookup after this step" without knowing how
 * many calls came before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obs/fault.h"
#include "util/enum_name.h"

static const char *const point_names[FAULT_POINT_COUNT + 1] = {
	[FAULT_HANDLE_GENERATE] = "handle_generate",
	[FAULT_MOUNT_FD_OPEN] = "mount_fd_open",
	[FAULT_OPEN_BY_HANDLE] = "open_by_handle",
	[FAULT_OPATH_OPEN] = "opath_open",
	[FAULT_NOTIFY_SECOND_HALF] = "notify_second_half",
	[FAULT_POINT_COUNT] = NULL,
};

void faults_init(struct faults *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
}

const char *fault_point_name(enum fault_point p)
{
	return enum_name(point_names, p);
}

int fault_point_parse(const char *name, enum fault_point *p)
{
	int v, err = enum_parse(point_names, name, &v);

	if (!err)
		*p = v;
	return err;
}

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int fault_schedule_parse(const char *s, struct fault_schedule *sched,
			 const char **why)
{
	memset(sched, 0, sizeof(*sched));
	if (!strcmp(s, "every")) {
		sched->when = FAULT_EVERY;
		return 0;
	}
	if (!strncmp(s, "nth=", 4) || !strncmp(s, "first=", 6)) {
		bool nth = s[0] == 'n';

		sched->when = nth ? FAULT_NTH : FAULT_FIRST;
		if (parse_count(s + (nth ? 4 : 6), &sched->n)) {
			*why = "count must be a whole number of at least 1";
			return -EINVAL;
		}
		return 0;
	}
	if (!strncmp(s, "prob=", 5)) {
		char *end;
		const char *seed;

		sched->when = FAULT_PROB;
		sched->seed = 1;
		errno = 0;
		sched->p = strtod(s + 5, &end);
		if (errno || end == s + 5 || !(sched->p > 0 && sched->p <= 1)) {
			*why = "probability must be a number in (0, 1]";
			return -EINVAL;
		}
		if (*end == '\0')
			return 0;
		seed = end;
		if (strncmp(seed, ",seed=", 6) || parse_count(seed + 6, &sched->seed)) {
			*why = "after the probability only ,seed=N (N >= 1) may follow";
			return -EINVAL;
		}
		return 0;
	}
	*why = "schedule must be every, nth=N, first=N or prob=P[,seed=S]";
	return -EINVAL;
}

void fault_schedule_format(const struct fault_schedule *s, char *buf, size_t len)
{
	switch (s->when) {
	case FAULT_EVERY:
		snprintf(buf, len, "every");
		break;
	case FAULT_NTH:
		snprintf(buf, len, "nth=%llu", (unsigned long long)s->n);
		break;
	case FAULT_FIRST:
		snprintf(buf, len, "first=%llu", (unsigned long long)s->n);
		break;
	case FAULT_PROB:
		snprintf(buf, len, "prob=%g,seed=%llu", s->p,
			 (unsigned long long)s->seed);
		break;
	}
}

void faults_arm(struct faults *f, enum fault_point p, int err,
		const struct fault_schedule *sched)
{
	pthread_mutex_lock(&f->lock);
	f->point[p] = (struct fault_state){
		.armed = true, .err = err, .sched = *sched,
		.rng = sched->seed ? sched->seed : 1,
	};
	pthread_mutex_unlock(&f->lock);
}

void faults_clear(struct faults *f, enum fault_point p)
{
	pthread_mutex_lock(&f->lock);
	f->point[p].armed = false;
	pthread_mutex_unlock(&f->lock);
}

void faults_clear_all(struct faults *f)
{
	for (int i = 0; i < FAULT_POINT_COUNT; i++)
		faults_clear(f, i);
}

struct fault_state faults_get(struct faults *f, enum fault_point p)
{
	struct fault_state s;

	pthread_mutex_lock(&f->lock);
	s = f->point[p];
	pthread_mutex_unlock(&f->lock);
	return s;
}

/* xorshift64*: reproducible from the seed, which is all a scenario needs. */
static double next_uniform(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / (double)(1ULL << 53);
}

bool fault_schedule_fires(const struct fault_schedule *sched, uint64_t call, uint64_t *rng)
{
	switch (sched->when) {
	case FAULT_EVERY:
		return true;
	case FAULT_NTH:
		return call == sched->n;
	case FAULT_FIRST:
		return call <= sched->n;
	case FAULT_PROB:
		return next_uniform(rng) < sched->p;
	}
	return false;
}

int fault_check(struct faults *f, enum fault_point p)
{
	struct fault_state *s;
	bool fire = false;
	int err = 0;

	if (!f)
		return 0; /* callers outside the request path pass no fault table */
	s = &f->point[p];
	/* Unarmed is the hot path: no lock. A racing arm is seen next call. */
	if (!__atomic_load_n(&s->armed, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&f->lock);
	if (s->armed) {
		fire = fault_schedule_fires(&s->sched, ++s->calls, &s->rng);
		if (fire) {
			s->fired++;
			err = -s->err;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}
