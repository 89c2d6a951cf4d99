/*
 * cell: one cell of the matrix: one scenario against one target. It builds
 * the fixture, starts the daemon (a mount, a protocol connection, or a
 * real guest), runs the steps, judges the outcome and tears it all down,
 * whatever happened. Signals and the time limit reach it through
 * cell_signals_install().
 */
#ifndef VFS_SCENARIO_CELL_H
#define VFS_SCENARIO_CELL_H

#include <stdbool.h>

#include "options.h"
#include "report.h"
#include "scenario/scenario.h"

/* SIGINT, SIGTERM, SIGHUP and SIGALRM kill the cell's daemon and stop the run. */
void cell_signals_install(void);
/* Whether a signal (not the time limit) asked the run to stop. */
bool cell_stopped(void);

/* Whether @s runs on @t at all (n/a, not counted, otherwise). */
bool cell_applies(const struct options *o, const struct scenario *s, const struct target *t);
/* What the machine lacks for @s ("needs root"), or NULL. */
const char *cell_unmet(const struct scenario *s);
/*
 * Why @s is not run on @t because @t documents that it does not do what
 * @s needs (its tree changed under the mount, for fuse-overlayfs), or NULL.
 */
const char *cell_by_design(const struct scenario *s, const struct target *t);

/* Runs @s on @t in @workdir and adds its result to @rs. */
void cell_run(const struct options *o, const char *workdir, struct scenario *s,
	      const struct target *t, struct results *rs);
/* The outcome of one run of @s on @t, without keeping it. */
enum outcome cell_outcome(const struct options *o, const char *workdir, struct scenario *s,
			  const struct target *t);

#endif
