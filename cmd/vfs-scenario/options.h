/*
 * options: vfs-scenario's command line: which targets, where the programs
 * and files are, how to report.
 */
#ifndef VFS_SCENARIO_OPTIONS_H
#define VFS_SCENARIO_OPTIONS_H

#include <limits.h>
#include <stdbool.h>

#include "fuse/client/init_profile.h"
#include "guest_kernels.h"
#include "target/target_argv.h"
#include "target/target_locate.h"

#define MAX_TARGETS 48

struct options {
	struct target targets[MAX_TARGETS]; /* the columns, in order */
	int ntargets;
	bool foreign;              /* --server or --vhost-user: one "server" column */
	struct target_paths paths; /* points into loc */
	struct target_locations loc;
	bool guest_vm;             /* --guest=vm */
	const char *kernels[GUEST_KERNELS_MAX]; /* --guest-kernel, in order; the first runs protocol ones */
	int nkernels;
	bool kernels_set, image_set;
	char fixtures[PATH_MAX];
	bool fixtures_set;
	int timeout;
	int jobs;                  /* --jobs: columns run at once */
	int shard_k, shard_n;      /* --shard=K/N; 0: the whole matrix */
	const char *results_path;  /* --results: the JSON document */
	const char *html;          /* --html: the page */
	bool list;                 /* --list: print the cells (of the shard), run nothing */
	const struct fuse_init_profile *init; /* protocol scenarios' INIT; NULL: the kernel's */
	bool tap, check, verbose, mutate;
	const char *junit;
};

/* Fills @o from the command line; 0, or the exit status to leave with (2: usage). */
int options_parse(int argc, char **argv, struct options *o);

#endif
