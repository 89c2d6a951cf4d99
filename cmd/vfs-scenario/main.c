/*
 * vfs-scenario: runs scenario files against vfs-serve in each design (the
 * matrix), or against any FUSE passthrough server, and says whether each
 * outcome is the one the scenario declares.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cell.h"
#include "columns.h"
#include "find.h"
#include "mutate.h"
#include "options.h"
#include "report.h"
#include "results_json.h"
#include "sandbox.h"
#include "subcommand.h"

/* Parses every file; the scenarios into *@out. How many files had errors. */
static int parse_all(const struct files *fs, struct scenario ***out, int *nsc)
{
	struct scenario **sc = calloc((size_t)fs->n + 1, sizeof(*sc));
	int errors = 0;

	*nsc = 0;
	*out = sc;
	if (!sc)
		return 1;
	for (int i = 0; i < fs->n; i++) {
		sc[*nsc] = scenario_parse(fs->path[i], stderr);
		if (!sc[*nsc]) {
			errors++;
			continue;
		}
		sc[*nsc]->name = scenario_short_name(fs->path[i]);
		(*nsc)++;
	}
	return errors;
}

/* Prints the results; the exit status they make. */
static int report(const struct options *o, struct results *rs)
{
	int unexpected = rs->lost;

	if (o->tap)
		report_tap(stdout, rs);
	else
		report_table(stdout, rs, o->targets, o->ntargets, isatty(1), o->verbose);
	if (o->junit && report_junit(o->junit, rs))
		fprintf(stderr, "vfs-scenario: cannot write %s: %m\n", o->junit);
	if (o->tap)
		printf("# ");
	report_totals(stdout, rs);
	for (int i = 0; i < rs->n; i++)
		unexpected += result_unexpected(&rs->r[i]);
	return cell_stopped() ? 130 : unexpected ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct files fs = { 0 };
	struct scenario **sc = NULL;
	struct results rs = { 0 };
	char workdir[PATH_MAX];
	time_t started = time(NULL);
	int errors = 0, nsc = 0, rc;

	if (subcommand_is(argc, argv))
		return subcommand_run(argc, argv);
	rc = options_parse(argc, argv, &o);
	if (rc)
		return rc;
	rc = find_scenarios(&o, argc - optind, argv + optind, &fs, &errors);
	if (rc)
		goto out;
	errors += parse_all(&fs, &sc, &nsc);
	if (errors || !nsc) {
		fprintf(stderr, "vfs-scenario: %s\n", errors ? "scenario errors; nothing was run"
						      : "no scenario files found");
		rc = 2;
		goto out;
	}
	if (o.check) {
		printf("vfs-scenario: %d scenario%s parse\n", nsc, nsc == 1 ? "" : "s");
		goto out;
	}
	if (o.list) {
		columns_list(&o, sc, nsc);
		goto out;
	}
	cell_signals_install();
	if (geteuid() == 0) {
		rc = sandbox_enter("vfs-scenario", workdir, sizeof(workdir));
		if (rc) {
			fprintf(stderr, "vfs-scenario: cannot make a private mount namespace: %s\n",
				strerror(-rc));
			rc = 1;
			goto out;
		}
	}
	if (o.mutate) {
		rc = mutate(&o, workdir, sc, nsc) ? 1 : 0;
	} else {
		columns_run(&o, workdir, sc, nsc, &rs);
	}
	if (geteuid() == 0)
		sandbox_leave(workdir);
	if (o.mutate)
		rc = cell_stopped() ? 130 : rc;
	else
		rc = report(&o, &rs);
	if (!o.mutate && results_json_write(&o, &rs, sc, nsc, started) && rc != 130)
		rc = rc ? rc : 1;
	results_free(&rs);
out:
	for (int i = 0; i < nsc; i++)
		scenario_free(sc[i]);
	free(sc);
	files_free(&fs);
	return rc;
}
