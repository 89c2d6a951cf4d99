/*
 * target_version: what a results document says a target is: the program
 * that serves it, its version (its --version's line, or Debian's package
 * version for a packaged daemon) and the options its words add.
 */
#ifndef VFS_SCENARIO_TARGET_VERSION_H
#define VFS_SCENARIO_TARGET_VERSION_H

#include <stddef.h>

#include "options.h"

struct target_about {
	char program[4096]; /* its path, or the --server/--vhost-user command */
	char version[160];  /* "" if it said none in time */
	char options[512];  /* the daemon arguments its option words add */
};

void target_about(const struct options *o, const struct target *t, struct target_about *a);

#endif
