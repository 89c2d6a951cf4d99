/*
 * shard: --shard=K/N, one of N parts of the matrix for N CI jobs. A cell
 * (scenario, target) belongs to part 1 + FNV-1a(scenario NUL target) mod N:
 * the names alone decide, so every machine, whatever else it runs or
 * lacks, puts a cell in the same part, and N jobs run each cell once.
 */
#ifndef VFS_SCENARIO_SHARD_H
#define VFS_SCENARIO_SHARD_H

#include <stdbool.h>

#include "options.h"

/* "K/N" into @o; 0, or -1 having said what was wrong. */
int shard_parse(const char *arg, struct options *o);
/* Whether the cell of @scenario on @target is in @o's shard (always, without --shard). */
bool shard_has(const struct options *o, const char *scenario, const char *target);

#endif
