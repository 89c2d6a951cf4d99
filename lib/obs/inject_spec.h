/*
 * inject_spec: what to inject into which system call of an unmodified program.
 *
 *   SYSCALL=ERRNO[:CLAUSE]...
 *
 * CLAUSE is a schedule (every, nth=N, first=N, prob=P[,seed=S], counted
 * over the calls that match), path=GLOB (the call's path argument, as the
 * program passed it, matched with fnmatch), flags=FLAG[|FLAG] (open flags
 * that must all be set), noflags=FLAG[|FLAG] (that must all be clear),
 * forked (only in processes and threads other than the one started), or
 * armed=FILE (calls count and fail only while FILE exists: a runner arms
 * a fault once the session is up, so a schedule never lands on start-up
 * or INIT, and disarms it by removing the file).
 */
#ifndef VFS_INJECT_SPEC_H
#define VFS_INJECT_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "obs/fault.h"

struct syscall_info {
	const char *name;
	int path_arg;   /* index of the path argument, -1: none */
	int path2_arg;  /* a second path (renames), -1: none */
	int flags_arg;  /* index of the open flags, -1: none; -2: openat2's struct */
};

const struct syscall_info *syscall_info_find(const char *name);
/* Names of the syscalls specs may name, blank-separated, for --help. */
const char *syscall_names(void);

struct spec {
	const struct syscall_info *sys;
	int nr;             /* the syscall number on this architecture */
	int err;
	struct fault_schedule sched;
	char *path;         /* NULL: any */
	unsigned long flags_set, flags_clear;
	bool forked_only;
	char *armed_file;   /* NULL: armed from the start */
	/* counting, by the supervisor */
	uint64_t calls, fired;
	uint64_t rng;
};

/*
 * Parses one SPEC. On error returns -EINVAL with @why pointing at a
 * message naming what was wrong (in @whybuf when it needs the input).
 */
int spec_parse(const char *text, struct spec *s, char *whybuf, size_t len);
void spec_free(struct spec *s);

/* Parses "O_RDONLY|O_CREAT" (or a number) into open flags. */
int open_flags_parse(const char *text, unsigned long *flags);

#endif
