/*
 * fault: named fault points inside the passthrough core.
 *
 * Each point guards one host call whose failure matters to the designs in
 * the reference thread. Armed with an errno and a schedule, a point makes
 * that call fail as if the kernel had said so; the call is not made.
 */
#ifndef VFS_FAULT_H
#define VFS_FAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum fault_point {
	FAULT_HANDLE_GENERATE, /* name_to_handle_at */
	FAULT_MOUNT_FD_OPEN,   /* opening a mount fd for open_by_handle_at */
	FAULT_OPEN_BY_HANDLE,  /* open_by_handle_at */
	FAULT_OPATH_OPEN,      /* openat(..., O_PATH) of a looked-up name */
	FAULT_NOTIFY_SECOND_HALF, /* vhost-user: a rename's second half never sent */
	FAULT_POINT_COUNT
};

enum fault_when {
	FAULT_EVERY, /* every call */
	FAULT_NTH,   /* only the n-th call after arming */
	FAULT_FIRST, /* the first n calls after arming */
	FAULT_PROB,  /* each call with probability p, from a seeded generator */
};

struct fault_schedule {
	enum fault_when when;
	uint64_t n;      /* FAULT_NTH, FAULT_FIRST */
	double p;        /* FAULT_PROB */
	uint64_t seed;   /* FAULT_PROB */
};

struct fault_state {
	bool armed;
	int err;
	struct fault_schedule sched;
	uint64_t calls;  /* calls seen since arming */
	uint64_t fired;  /* calls failed since arming */
	uint64_t rng;
};

struct faults {
	pthread_mutex_t lock;
	struct fault_state point[FAULT_POINT_COUNT];
};

void faults_init(struct faults *f);

const char *fault_point_name(enum fault_point p);
int fault_point_parse(const char *name, enum fault_point *p);

/*
 * Parses a schedule: "every", "nth=N", "first=N", "prob=P" or
 * "prob=P,seed=S" (0 < P <= 1). Returns 0 or -EINVAL with @why set.
 */
int fault_schedule_parse(const char *s, struct fault_schedule *sched,
			 const char **why);
/* Writes the schedule in the form fault_schedule_parse reads. */
void fault_schedule_format(const struct fault_schedule *s, char *buf, size_t len);

void faults_arm(struct faults *f, enum fault_point p, int err,
		const struct fault_schedule *sched);
void faults_clear(struct faults *f, enum fault_point p);
void faults_clear_all(struct faults *f);
struct fault_state faults_get(struct faults *f, enum fault_point p);

/*
 * Whether call number @call (counted from 1 since arming) fails under
 * @sched; @rng is the generator state for prob= schedules.
 */
bool fault_schedule_fires(const struct fault_schedule *sched, uint64_t call, uint64_t *rng);

/* Called before the guarded call: 0 to go ahead, or -errno to fail it. */
int fault_check(struct faults *f, enum fault_point p);

#endif
