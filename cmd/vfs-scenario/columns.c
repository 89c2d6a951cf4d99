/* columns: the matrix, column by column, --jobs at a time (columns.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell.h"
#include "columns.h"
#include "progress.h"
#include "shard.h"
#include "util/mono_clock.h"
#include "vm.h"

/* Whether the cell runs at all here: it applies to the target, and is in the shard. */
static bool cell_in_run(const struct options *o, const struct scenario *s, const struct target *t)
{
	return cell_applies(o, s, t) && shard_has(o, s->name, t->name);
}

/* Every scenario on target @d, as far as it applies. */
static void run_column(const struct options *o, const char *workdir, struct scenario **sc,
		       int nsc, int d, struct results *rs)
{
	const struct target *t = &o->targets[d];
	long long start = mono_ms();

	for (int i = 0; i < nsc; i++) {
		const char *why = cell_unmet(sc[i]);
		const char *design = cell_by_design(sc[i], t);
		long long cell_start = mono_ms();
		int before = rs->n;

		/* Not applicable (a target's own policy, or its kind): n/a, not counted. */
		if (!cell_in_run(o, sc[i], t))
			continue;
		progress_note(d, sc[i]->name, t->name);
		if (why || cell_stopped())
			results_add(rs, sc[i], t, OUTCOME_SKIP, why ? why : "interrupted", NULL);
		else if (design)
			results_add(rs, sc[i], t, OUTCOME_DESIGN, design, NULL);
		else
			cell_run(o, workdir, sc[i], t, rs);
		if (rs->n > before)
			rs->r[rs->n - 1].ms = mono_ms() - cell_start;
		progress_note(d, NULL, NULL);
	}
	rs->col_ms[d] += mono_ms() - start;
}

static int index_of(struct scenario **sc, int nsc, const struct scenario *s)
{
	for (int i = 0; i < nsc; i++)
		if (sc[i] == s)
			return i;
	return nsc;
}

static void put_str(FILE *f, const char *s)
{
	int32_t n = s ? (int32_t)strlen(s) : -1;

	fwrite(&n, sizeof(n), 1, f);
	if (n > 0)
		fwrite(s, 1, (size_t)n, f);
}

static char *get_str(FILE *f, bool *bad)
{
	int32_t n;
	char *s;

	if (fread(&n, sizeof(n), 1, f) != 1 || n < -1 || n > (64 << 20)) {
		*bad = true;
		return NULL;
	}
	if (n < 0 || !(s = calloc(1, (size_t)n + 1)))
		return NULL;
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		*bad = true;
	return s;
}

/* A worker's results, for the parent: scenario index, outcome, texts; then the time. */
static int write_results(const char *path, struct scenario **sc, int nsc, int d,
			 const struct results *rs)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	for (int i = 0; i < rs->n; i++) {
		int32_t v[2] = { index_of(sc, nsc, rs->r[i].s), (int32_t)rs->r[i].outcome };

		fwrite(v, sizeof(v), 1, f);
		fwrite(&rs->r[i].ms, sizeof(rs->r[i].ms), 1, f);
		put_str(f, rs->r[i].skip_reason);
		put_str(f, rs->r[i].details);
	}
	fwrite(&rs->col_ms[d], sizeof(rs->col_ms[d]), 1, f);
	return fclose(f) ? -errno : 0;
}

/* Reads a worker's file into @rs; -EPROTO if it is cut short (the worker died writing). */
static int read_results(const char *path, const struct options *o, struct scenario **sc, int nsc,
			int d, struct results *rs)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	bool bad = false;

	if (!f)
		return -errno;
	fstat(fileno(f), &st);
	while (!bad && ftell(f) + (long)sizeof(long long) < st.st_size) {
		int32_t v[2];
		long long ms;
		char *skip, *details;

		if (fread(v, sizeof(v), 1, f) != 1 || v[0] < 0 || v[0] >= nsc || v[1] < 0 ||
		    v[1] > OUTCOME_NA || fread(&ms, sizeof(ms), 1, f) != 1) {
			bad = true;
			break;
		}
		skip = get_str(f, &bad);
		details = get_str(f, &bad);
		if (!bad) {
			int before = rs->n;

			results_add(rs, sc[v[0]], &o->targets[d], (enum outcome)v[1], skip, details);
			if (rs->n > before)
				rs->r[rs->n - 1].ms = ms;
		}
		free(skip);
		free(details);
	}
	if (!bad && fread(&rs->col_ms[d], sizeof(rs->col_ms[d]), 1, f) != 1)
		bad = true;
	fclose(f);
	return bad ? -EPROTO : 0;
}

/* In a child: column @d under @dir, results to @dir/results. Never returns. */
static void worker(const struct options *o, const char *dir, struct scenario **sc, int nsc, int d)
{
	struct results mine = { 0 };
	char path[PATH_MAX + 16];

	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a column never outlives the run */
	progress_worker();
	run_column(o, dir, sc, nsc, d, &mine);
	snprintf(path, sizeof(path), "%s/results", dir);
	_exit(write_results(path, sc, nsc, d, &mine) || mine.lost ? 1 : 0);
}

/* The guests' snapshots, made once here rather than once per worker. */
static void prepare_guests(const struct options *o, const char *workdir)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/boot", workdir);
	mkdir(dir, 0700);
	for (int d = 0; d < o->ntargets; d++)
		if (o->guest_vm && o->targets[d].guest_kernel) {
			char image[PATH_MAX];
			struct errbuf e;

			guest_kernel_image(o, &o->targets[d], image, sizeof(image));
			vm_prepare(image, workdir, dir, &e); /* a failure shows in the cells */
		}
}

static void collect(const struct options *o, const char *workdir, struct scenario **sc, int nsc,
		    pid_t pid, int status, const pid_t *pids, struct results *rs)
{
	char path[PATH_MAX];
	int d = 0;

	while (d < o->ntargets && pids[d] != pid)
		d++;
	if (d == o->ntargets)
		return;
	snprintf(path, sizeof(path), "%s/c%d/results", workdir, d);
	if (!WIFEXITED(status) || read_results(path, o, sc, nsc, d, rs))
		results_add(rs, sc[0], &o->targets[d], OUTCOME_FAIL, NULL,
			    WIFSIGNALED(status) ? "runner error: the column's worker was killed; "
						  "its results are lost\n"
					       : "runner error: the column's worker left no results\n");
}

/*
 * The order columns start in: the VM ones first, the longest (a first
 * kernel's, with the protocol scenarios too) before the others, so no
 * long column starts last while the short ones are done.
 */
static void schedule(const struct options *o, int *order)
{
	int n = 0;

	for (int pass = 0; pass < 3; pass++)
		for (int d = 0; d < o->ntargets; d++) {
			const struct target *t = &o->targets[d];
			int rank = !t->guest_kernel ? 2 : guest_kernel_repeat(o, t) ? 1 : 0;

			if (rank == pass)
				order[n++] = d;
		}
}

/*
 * The next worker to end; with the progress line shown, what the workers
 * report is read (and the clock redrawn) while waiting.
 */
static pid_t wait_worker(int *status)
{
	while (progress_on()) {
		struct pollfd pfd = { .fd = progress_read_fd(), .events = POLLIN };
		pid_t pid = waitpid(-1, status, WNOHANG);

		if (pid != 0)
			return pid;
		if (poll(&pfd, 1, 1000) < 0 && errno == EINTR && cell_stopped())
			return -1; /* errno stays EINTR: the caller looks at cell_stopped() */
		progress_poll();
	}
	return waitpid(-1, status, 0);
}

static int by_scenario_then_column(const void *a, const void *b, void *arg)
{
	const struct result *x = a, *y = b;
	const struct options *o = ((void **)arg)[0];
	struct scenario **sc = ((void **)arg)[1];
	int nsc = *(int *)((void **)arg)[2];
	int dx = index_of(sc, nsc, x->s) - index_of(sc, nsc, y->s);

	return dx ? dx : (int)(x->target - o->targets) - (int)(y->target - o->targets);
}

void columns_run(const struct options *o, const char *workdir, struct scenario **sc, int nsc,
		 struct results *rs)
{
	pid_t pids[MAX_TARGETS] = { 0 };
	int order[MAX_TARGETS], next = 0, running = 0;
	void *arg[3] = { (void *)o, sc, &nsc };
	int total = 0;

	for (int d = 0; d < o->ntargets; d++)
		for (int i = 0; i < nsc; i++)
			total += cell_in_run(o, sc[i], &o->targets[d]);
	progress_begin(o, total);
	if (o->jobs <= 1) {
		for (int d = 0; d < o->ntargets; d++)
			run_column(o, workdir, sc, nsc, d, rs);
	} else {
		schedule(o, order);
		prepare_guests(o, workdir);
		while (next < o->ntargets || running) {
			int status;
			pid_t pid;

			while (running < o->jobs && next < o->ntargets && !cell_stopped()) {
				int d = order[next++];
				char dir[PATH_MAX];

				snprintf(dir, sizeof(dir), "%s/c%d", workdir, d);
				mkdir(dir, 0700);
				fflush(NULL);
				pid = fork();
				if (pid == 0)
					worker(o, dir, sc, nsc, d);
				if (pid < 0)
					results_add(rs, sc[0], &o->targets[d], OUTCOME_FAIL, NULL,
						    "runner error: cannot fork the column's worker\n");
				pids[d] = pid;
				running += pid > 0;
			}
			if (!running)
				break;
			pid = wait_worker(&status);
			if (pid < 0 && errno == EINTR && cell_stopped()) {
				for (int d = 0; d < o->ntargets; d++)
					if (pids[d] > 0)
						kill(pids[d], SIGTERM);
				continue;
			}
			if (pid < 0)
				break;
			running--;
			collect(o, workdir, sc, nsc, pid, status, pids, rs);
			for (int d = 0; d < o->ntargets; d++)
				if (pids[d] == pid)
					pids[d] = -1;
		}
	}
	progress_poll();
	progress_end();
	/* Interrupted before they started: said so, cell by cell. */
	for (; o->jobs > 1 && next < o->ntargets; next++)
		run_column(o, workdir, sc, nsc, order[next], rs);
	if (rs->n > 1) /* no array at all when nothing applied */
		qsort_r(rs->r, (size_t)rs->n, sizeof(rs->r[0]), by_scenario_then_column, arg);
}

int columns_list(const struct options *o, struct scenario **sc, int nsc)
{
	int n = 0;

	for (int i = 0; i < nsc; i++)
		for (int d = 0; d < o->ntargets; d++)
			if (cell_in_run(o, sc[i], &o->targets[d])) {
				printf("%s [%s]\n", sc[i]->name, o->targets[d].name);
				n++;
			}
	return n;
}
