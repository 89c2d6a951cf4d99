/*
 * columns: the matrix run a column (target) at a time, several at once
 * with --jobs: each column in a worker process of its own (its own cells,
 * daemons and VMs, under a workdir of its own), its results handed back
 * in a file, then put in scenario order so every report reads the same
 * whatever ran beside what.
 */
#ifndef VFS_SCENARIO_COLUMNS_H
#define VFS_SCENARIO_COLUMNS_H

#include "options.h"
#include "report.h"

void columns_run(const struct options *o, const char *workdir, struct scenario **sc, int nsc,
		 struct results *rs);
/* --list: each cell that would run (of the shard), "scenario [target]"; how many. */
int columns_list(const struct options *o, struct scenario **sc, int nsc);

#endif
