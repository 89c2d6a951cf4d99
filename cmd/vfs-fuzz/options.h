/* options: vfs-fuzz's command line, checked. */
#ifndef VFS_FUZZ_OPTIONS_H
#define VFS_FUZZ_OPTIONS_H

#include "fuzz.h"

#define CMDLINE_MAX_TARGETS 24

struct cmdline {
	struct fuzz_options o;         /* o.target is set per target by the caller */
	struct target targets[CMDLINE_MAX_TARGETS];
	int ntargets;
	int jobs;                      /* --jobs: loops at once, each with a daemon */
	int faithful;                  /* --faithful given */
	bool devfuse;                  /* --devfuse */
	bool mutate_set;               /* --mutate given: leave faithful off for devfuse */
	int foreign;                   /* the option that named a foreign daemon, 0: none */
};

/* 0, or -1 after a message naming what was wrong. */
int options_parse(int argc, char **argv, struct cmdline *c);

#endif
