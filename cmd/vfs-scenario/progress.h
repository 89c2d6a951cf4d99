/*
 * progress: for long runs on a terminal, one line on stderr kept up to
 * date: cells done of the total, the time so far, the cell now running
 * (and how many more run beside it). Nothing at all when stderr is not a
 * terminal, or with --verbose (which prints each cell itself). A column's
 * worker process reports its cells over a pipe the parent reads.
 */
#ifndef VFS_SCENARIO_PROGRESS_H
#define VFS_SCENARIO_PROGRESS_H

#include <stdbool.h>

#include "options.h"

/* Starts the line for @total cells; false (and nothing shown) if not a terminal. */
bool progress_begin(const struct options *o, int total);
/* Whether the line is shown. */
bool progress_on(void);
/* The pipe workers report on (-1 when off); a worker calls progress_worker() first. */
int progress_read_fd(void);
void progress_worker(void);
/* Column @column starts cell @name [@target] (@name NULL: done with its cell). */
void progress_note(int column, const char *name, const char *target);
/* Reads what the workers reported, redraws. */
void progress_poll(void);
/* Clears the line. */
void progress_end(void);

#endif
