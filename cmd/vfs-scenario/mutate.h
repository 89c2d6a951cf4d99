/*
 * mutate: --mutate, the checks of the checks: an expectation that still
 * holds when negated never decided anything (a step that was skipped, a
 * comparison that cannot fail).
 */
#ifndef VFS_SCENARIO_MUTATE_H
#define VFS_SCENARIO_MUTATE_H

#include "options.h"
#include "scenario/scenario.h"

/* Runs the negations and prints each vacuous expectation; how many there were. */
int mutate(const struct options *o, const char *workdir, struct scenario **sc, int nsc);

#endif
