/*
 * inject_check: a scenario's `inject` faults land where they aim. Each is
 * armed (vfs-inject's armed=FILE) only once the session is up, right
 * before the first step, so a schedule such as nth=2 counts the calls the
 * steps cause, never those of the daemon's start or of INIT; and after the
 * steps, vfs-inject's log says whether each fired, and when. A fault that
 * fired before the steps, or never, is a runner error: the scenario did
 * not test what it says.
 */
#ifndef VFS_SCENARIO_INJECT_CHECK_H
#define VFS_SCENARIO_INJECT_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/strbuf.h"

/* Creates @armed_path; *@armed_ns the moment (CLOCK_REALTIME, as the log's). 0 or -errno. */
int inject_arm(const char *armed_path, uint64_t *armed_ns);

/*
 * Reads vfs-inject's @log: true when each of the @n @specs fired after
 * @armed_ns and none before; false with the reason in @why (also when
 * @armed_ns is 0: the faults were never armed).
 */
bool inject_verify(const char *log, char *const *specs, int n, uint64_t armed_ns,
		   struct strbuf *why);

#endif
