/*
 * results_json: a run's results as a vfskit-results document
 * (lib/results): what ran (version, host, shard, targets with their
 * versions and options, guest kernels) and each cell, its failing step,
 * expected and got pulled out of the report for readers that gate on them.
 */
#ifndef VFS_SCENARIO_RESULTS_JSON_H
#define VFS_SCENARIO_RESULTS_JSON_H

#include <time.h>

#include "options.h"
#include "report.h"
#include "results/results_doc.h"

/* The document, or NULL for want of memory. @started: when the run began. */
struct json_object *results_json(const struct options *o, const struct results *rs,
				 struct scenario **sc, int nsc, time_t started);

/* --results and --html, as asked. 0, or -1 having said what could not be written. */
int results_json_write(const struct options *o, const struct results *rs, struct scenario **sc,
		       int nsc, time_t started);

#endif
