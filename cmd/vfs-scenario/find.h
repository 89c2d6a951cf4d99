/*
 * find: which scenario files a command line names: paths, FAMILY or
 * FAMILY/NAME words looked up in the scenarios found (source tree, or
 * installed), or every scenario when it names none.
 */
#ifndef VFS_SCENARIO_FIND_H
#define VFS_SCENARIO_FIND_H

#include <stddef.h>

#include "options.h"

struct files {
	char **path;
	int n;
	size_t cap;
};

/*
 * Fills @fs with the scenario files @args name (sorted), and settles
 * o->fixtures when the command line did not. Each path that names
 * nothing is an error counted in *@errors; returns 2 when there is
 * nothing to look in at all, else 0.
 */
int find_scenarios(struct options *o, int n, char **args, struct files *fs, int *errors);
void files_free(struct files *fs);

/* "family/name" from ".../family/name.scn", malloc'd. */
char *scenario_short_name(const char *path);

#endif
