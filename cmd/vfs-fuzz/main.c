/*
 * vfs-fuzz: for each target, daemon runs of generated steps until the
 * budget is spent; each verdict not seen before is a finding, shrunk,
 * replayed once more to be sure, and written as a scenario.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture/workdir.h"
#include "fuzz.h"
#include "fuzz/oracle_exceptions.h"
#include "options.h"
#include "util/hash_table.h"
#include "util/json_line.h"
#include "util/mono_clock.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static double now_s(void)
{
	return (double)mono_ms() / 1e3;
}

struct totals {
	long steps, requests, findings, restarts;
	double seconds, restart_ms;
};

/* The sites found so far for one target. */
struct known {
	char *site[64];
	int n;
};

static bool known_has(const struct known *k, const char *site)
{
	for (int i = 0; i < k->n; i++)
		if (!strcmp(k->site[i], site))
			return true;
	return false;
}

/* Replies seen, by (operation, result): a run that adds one goes to the corpus. */
static unsigned char seen_replies[65536 / 8];
static long states; /* how many of them: the progress line's "states" */

static bool new_reply(const struct fstep *st, int r, const char *value)
{
	char key[96];
	uint64_t h;

	snprintf(key, sizeof(key), "%s %s %d %.16s", fstep_kind_name(st->kind), st->argv[0], r,
		 st->kind == FSTEP_RAW ? value : "");
	h = hash_bytes(key, strlen(key), 0) & 0xffff;
	if (seen_replies[h / 8] & (1u << (h % 8)))
		return false;
	seen_replies[h / 8] |= (unsigned char)(1u << (h % 8));
	states++;
	return true;
}

static void file_name(const char *target, const char *site, char *out, size_t len,
		      const char *dir)
{
	size_t at = (size_t)snprintf(out, len, "%s/", dir);

	for (const char *s = target; *s && at + 1 < len; s++)
		out[at++] = (*s == ':' || *s == ',') ? '-' : *s;
	if (at + 1 < len)
		out[at++] = '-';
	for (const char *s = site; *s && at + 5 < len; s++)
		out[at++] = (*s == ' ' || *s == '/') ? '-' : *s;
	snprintf(out + at, len - at, ".scn");
}

static void say_finding(const struct fuzz_options *o, const struct finding *f, const char *path,
			size_t steps, int trials, bool replayed)
{
	if (o->json) {
		struct json_line j;

		json_begin(&j);
		json_str(&j, "finding", f->site);
		json_str(&j, "target", o->target.name);
		json_str(&j, "text", f->text);
		json_str(&j, "scenario", replayed ? path : "");
		json_i64(&j, "steps", (int64_t)steps);
		json_i64(&j, "trials", trials);
		json_end(&j);
		fwrite(j.buf, 1, j.len, stdout);
		return;
	}
	fprintf(stderr, "%s%s: %s: %s\n", o->quiet ? "" : "\n", o->target.name, f->site, f->text);
	if (replayed)
		fprintf(stderr, "  shrunk to %zu steps (%d trials): %s\n", steps, trials, path);
	else
		fprintf(stderr, "  did not show again on replay: not written (a race in the daemon?)\n");
}

/*
 * A growth finding's sequence with its drain (seq_drain) as steps of its
 * own, as the scenario has them; replayed once more so. Whether it shows.
 */
static bool growth_written(struct session *ss, struct seq *rep, const char *site)
{
	struct strbuf value = STRBUF_INIT, err = STRBUF_INIT;
	struct seq d;
	bool ok = false;
	int open_files;

	if (session_start(ss, &err))
		goto out;
	for (size_t i = 0; i < rep->nr; i++) {
		strbuf_reset(&value);
		session_step(ss, &rep->v[i], &value);
	}
	if (!seq_drain(ss, rep, &d, &open_files)) {
		for (size_t i = 0; i < d.nr; i++)
			if (seq_push(rep, &d.v[i]))
				break;
		d.nr = 0;
		seq_free(&d);
		ok = true;
	}
	session_stop(ss);
	ss->growth_plain = true; /* the drain is in the sequence now */
	ok = ok && seq_reproduces(ss, rep, site);
	ss->growth_plain = false;
out:
	strbuf_release(&value);
	strbuf_release(&err);
	return ok;
}

/* A verdict of the run that ended: shrunk, replayed, written. 1 when written. */
static int report(struct session *ss, const struct seq *run, struct finding *f, long found_at,
		  struct known *k)
{
	const struct fuzz_options *o = ss->o;
	struct seq rep = { 0 };
	char path[PATH_MAX];
	int trials = 0;
	bool replayed;

	if (k->n < 64)
		k->site[k->n++] = strdup(f->site);
	for (long i = 0; i <= found_at && (size_t)i < run->nr; i++) {
		struct fstep c;

		if (fstep_copy(&c, &run->v[i]) || seq_push(&rep, &c)) {
			seq_free(&rep);
			return -ENOMEM;
		}
	}
	if (o->shrink)
		seq_shrink(ss, &rep, f->site, &trials);
	seq_drop_unsent(ss, &rep);
	replayed = seq_reproduces(ss, &rep, f->site);
	if (replayed && f->kind == FINDING_GROWTH) {
		replayed = growth_written(ss, &rep, f->site);
		f->limit = ss->growth_limit; /* the replay's own: after INIT, slack, files open */
	}
	mkdir(o->out_dir, 0755);
	file_name(o->target.name, f->site, path, sizeof(path), o->out_dir);
	if (replayed && scn_write(o, &rep, f, found_at + 1, path))
		replayed = false;
	if (replayed && o->sites_fd >= 0)
		dprintf(o->sites_fd, "%s\n", f->site);
	say_finding(o, f, path, rep.nr, trials, replayed);
	seq_free(&rep);
	return replayed;
}

static void corpus_keep(const struct fuzz_options *o, const struct seq *run, long runs)
{
	char path[PATH_MAX];

	mkdir(o->corpus, 0755);
	snprintf(path, sizeof(path), "%s/%s-seed%llu-run%ld.scn", o->corpus, o->target.base->name,
		 (unsigned long long)o->seed, runs);
	scn_write(o, run, NULL, (long)run->nr, path);
}

static void progress(const struct fuzz_options *o, const struct totals *t, double t0, int found)
{
	double el = now_s() - t0;

	if (o->json) {
		printf("{\"progress\":\"%s\",\"steps\":%ld,\"requests\":%ld,\"states\":%ld,"
		       "\"rate\":%.0f,\"restarts\":%ld,\"findings\":%d}\n", o->target.name, t->steps,
		       t->requests, states, el > 0 ? (double)t->requests / el : 0.0, t->restarts, found);
		fflush(stdout);
	} else if (!o->quiet && isatty(2)) {
		fprintf(stderr, "\r%s: %ld steps, %ld requests, %ld states, %.0f/s, %ld restarts, "
			"%d findings   ", o->target.name, t->steps, t->requests, states,
			el > 0 ? (double)t->requests / el : 0.0, t->restarts, found);
	}
}

static bool budget_spent(const struct fuzz_options *o, long steps, double t0)
{
	if (stop_sig)
		return true;
	return o->requests ? steps >= o->requests : now_s() - t0 >= o->seconds;
}

/* New verdicts of the run: found at step @at (kept per oracle). */
static void note_verdicts(const struct session *ss, long at, long found_at[ORACLE_COUNT])
{
	for (int k = 0; k < ORACLE_COUNT; k++)
		if (found_at[k] < 0 && fuzz_oracle_site(ss->oracle, k))
			found_at[k] = at;
}

/* One daemon run: steps until the run's share, a death, or the budget. */
static int one_run(struct session *ss, struct gen *g, struct seq *run, struct totals *t,
		   double t0, long found_at[ORACLE_COUNT], bool *fresh)
{
	const struct fuzz_options *o = ss->o;
	struct strbuf value = STRBUF_INIT;
	int seen = 0, r;

	gen_reset(g);
	for (int k = 0; k < o->restart_every && !budget_spent(o, t->steps, t0); k++) {
		struct fstep st;

		r = gen_next(g, &st);
		if (r || seq_push(run, &st)) {
			fprintf(stderr, "vfs-fuzz: cannot make step %ld: %s\n", t->steps,
				strerror(r ? -r : ENOMEM));
			return r ? r : -ENOMEM;
		}
		strbuf_reset(&value);
		r = session_step(ss, &run->v[run->nr - 1], &value);
		gen_took(g, &run->v[run->nr - 1], r, &ss->out);
		t->steps++;
		if (r == -ECANCELED) {
			fstep_free(&run->v[--run->nr]); /* not made: not part of the sequence */
			continue;
		}
		if (new_reply(&run->v[run->nr - 1], r, value.buf))
			*fresh = true;
		if (fuzz_oracle_count(ss->oracle) != seen) {
			seen = fuzz_oracle_count(ss->oracle);
			note_verdicts(ss, (long)run->nr - 1, found_at);
		}
		if (fuzz_oracle_site(ss->oracle, ORACLE_ALIVE))
			break; /* dead or hung: the next run starts a fresh one */
		if ((t->steps & 1023) == 0)
			progress(o, t, t0, 0);
	}
	strbuf_release(&value);
	return 0;
}

/*
 * The run's end, if the daemon lives: everything still looked up
 * forgotten (steps of the run, so a replay does it too), then the
 * daemon's fds counted. They may be what it had after INIT, a fd per open
 * file and some slack; more is the growth oracle's verdict. -1 when not
 * counted.
 */
static int drain(struct session *ss, struct seq *run, long *limit, int *open_files)
{
	struct strbuf value = STRBUF_INIT;
	struct seq d;

	if (!ss->up || fuzz_oracle_site(ss->oracle, ORACLE_ALIVE) || ss->fds_start < 0 ||
	    seq_drain(ss, run, &d, open_files))
		return -1;
	/* The same drain a shrinking trial gets (seq_drain), as steps of the run. */
	for (size_t i = 0; i < d.nr; i++) {
		if (seq_push(run, &d.v[i]))
			break;
		strbuf_reset(&value);
		session_step(ss, &run->v[run->nr - 1], &value);
	}
	d.nr = 0;
	seq_free(&d);
	strbuf_release(&value);
	*limit = ss->fds_start + ss->o->fd_slack + *open_files;
	return session_fds_settled(ss, *limit);
}

static int fuzz_target(struct fuzz_options *o, const char *workdir, struct totals *tot)
{
	struct session ss;
	struct gen *g = gen_new(o, o->seed);
	struct totals t = { 0 };
	struct known k = { 0 };
	double t0 = now_s();
	long runs = 0;
	int rc = 0;

	if (!g)
		return -ENOMEM;
	session_init(&ss, o, workdir);
	while (!budget_spent(o, t.steps, t0) && rc >= 0) {
		struct strbuf err = STRBUF_INIT, canary = STRBUF_INIT;
		long found_at[ORACLE_COUNT];
		struct seq run = { 0 };
		bool fresh = false;
		struct finding f[ORACLE_COUNT + 2];
		long limit = 0, pre_drain;
		int fds, open_files = 0;
		int nf = 0;

		for (int i = 0; i < ORACLE_COUNT; i++)
			found_at[i] = -1;
		if (session_start(&ss, &err)) {
			fprintf(stderr, "vfs-fuzz: %s: %s\n", o->target.name, err.buf);
			strbuf_release(&err);
			rc = -1;
			break;
		}
		t.restarts++;
		rc = one_run(&ss, g, &run, &t, t0, found_at, &fresh);
		t.requests += (long)ss.ft.client.unique;
		for (int i = 0; i < ORACLE_COUNT; i++)
			if (found_at[i] >= 0 && !known_has(&k, fuzz_oracle_site(ss.oracle, i)))
				f[nf++] = (struct finding){ .kind = i,
					.site = strdup(fuzz_oracle_site(ss.oracle, i)),
					.text = strdup(fuzz_oracle_text(ss.oracle, i)) };
		if (!fuzz_oracle_site(ss.oracle, ORACLE_ALIVE) && session_canary(&ss, &canary) == 1 &&
		    !known_has(&k, "canary changed"))
			f[nf++] = (struct finding){ .kind = FINDING_CANARY, .site = strdup("canary changed"),
						    .text = strdup(canary.buf) };
		pre_drain = (long)run.nr;
		fds = drain(&ss, &run, &limit, &open_files);
		if (fds > limit && !known_has(&k, "growth fds")) {
			char text[160];

			snprintf(text, sizeof(text), "the daemon holds %d fds once everything was "
				 "forgotten (%d after INIT, %d files open)", fds, ss.fds_start,
				 open_files);
			f[nf++] = (struct finding){ .kind = FINDING_GROWTH, .site = strdup("growth fds"),
						    .text = strdup(text), .limit = limit };
		}
		session_stop(&ss);
		runs++;
		for (int i = 0; i < nf; i++) {
			long at = f[i].kind == FINDING_GROWTH ? pre_drain - 1 :
				  f[i].kind == FINDING_CANARY ? (long)run.nr - 1 : found_at[f[i].kind];

			if (f[i].site && f[i].text && report(&ss, &run, &f[i], at, &k) > 0)
				t.findings++;
			free(f[i].site);
			free(f[i].text);
		}
		if (o->corpus && fresh)
			corpus_keep(o, &run, runs);
		seq_free(&run);
		strbuf_release(&err);
		strbuf_release(&canary);
		progress(o, &t, t0, (int)t.findings);
	}
	t.seconds = now_s() - t0;
	t.restart_ms = ss.starts ? (double)ss.start_ms_total / (double)ss.starts : 0;
	*tot = t;
	for (int i = 0; i < k.n; i++)
		free(k.site[i]);
	session_release(&ss);
	gen_free(g);
	if (!o->quiet && !o->json && isatty(2))
		fputc('\n', stderr);
	return rc < 0 ? rc : (int)t.findings;
}

/*
 * --jobs=N: N copies of the loop, job K with seed S+K and its own fixture,
 * each a process (a daemon per job, as AFL runs instances): a lone
 * sequence waits on every reply, so the round trip, not the CPU, is what
 * one job is bound by. The jobs' totals add up; a site found by two jobs
 * counts once.
 */
static int fuzz_jobs(struct fuzz_options *o, const char *workdir, int jobs, struct totals *tot)
{
	struct known sites = { 0 };
	pid_t pid[64];
	int fds[2], rc = 0;
	FILE *in;
	char line[512];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	for (int k = 0; k < jobs; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			struct fuzz_options mine = *o;
			struct totals t;
			char dir[300];
			int r;

			close(fds[0]);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			mine.seed = o->seed + (uint64_t)k;
			mine.requests = o->requests ? (o->requests + jobs - 1 - k) / jobs : 0;
			mine.quiet = true;
			mine.json = false;
			mine.sites_fd = fds[1];
			snprintf(dir, sizeof(dir), "%.200s/job%d", workdir, k);
			mkdir(dir, 0755);
			r = fuzz_target(&mine, dir, &t);
			dprintf(fds[1], "T %ld %ld %ld %.0f %.3f\n", t.steps, t.requests, t.restarts,
				t.restart_ms * 1000, t.seconds);
			_exit(r < 0 ? 2 : 0);
		}
	}
	close(fds[1]);
	memset(tot, 0, sizeof(*tot));
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		long steps, requests, restarts;
		double restart_us, seconds;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "T %ld %ld %ld %lf %lf", &steps, &requests, &restarts, &restart_us,
			   &seconds) == 5) {
			tot->restart_ms += restart_us / 1000 * (double)restarts;
			tot->steps += steps;
			tot->requests += requests;
			tot->restarts += restarts;
			tot->seconds = seconds > tot->seconds ? seconds : tot->seconds;
		} else if (!known_has(&sites, line) && sites.n < 64) {
			sites.site[sites.n++] = strdup(line);
		}
	}
	if (in)
		fclose(in);
	for (int k = 0; k < jobs; k++) {
		int status;

		if (waitpid(pid[k], &status, 0) == pid[k] && (!WIFEXITED(status) || WEXITSTATUS(status)))
			rc = -1;
	}
	tot->restart_ms = tot->restarts ? tot->restart_ms / (double)tot->restarts : 0;
	tot->findings = sites.n;
	for (int i = 0; i < sites.n; i++)
		free(sites.site[i]);
	return rc < 0 ? rc : (int)tot->findings;
}

static void table_row(const struct fuzz_options *o, const struct totals *t)
{
	if (o->json) {
		printf("{\"target\":\"%s\",\"steps\":%ld,\"requests\":%ld,\"seconds\":%.1f,"
		       "\"requests_per_s\":%.0f,\"restarts\":%ld,\"restart_ms\":%.1f,"
		       "\"findings\":%ld}\n", o->target.name, t->steps, t->requests, t->seconds,
		       t->seconds > 0 ? (double)t->requests / t->seconds : 0.0, t->restarts,
		       t->restart_ms, t->findings);
		return;
	}
	printf("%-24s %10ld %10ld %9.0f %9ld %10.1f %9ld\n", o->target.name, t->steps, t->requests,
	       t->seconds > 0 ? (double)t->requests / t->seconds : 0.0, t->restarts, t->restart_ms,
	       t->findings);
}

int main(int argc, char **argv)
{
	struct cmdline c;
	struct sigaction sa = { .sa_handler = on_signal };
	struct strbuf looked = STRBUF_INIT;
	char workdir[PATH_MAX];
	int found = 0, rc = 0;

	if (options_parse(argc, argv, &c))
		return 2;
	if (!c.o.fixtures[0] && data_dir_find("fixtures", c.o.fixtures, sizeof(c.o.fixtures),
					      &looked)) {
		fprintf(stderr, "vfs-fuzz: no fixtures directory (looked in %s); give --fixtures\n",
			looked.buf);
		return 2;
	}
	strbuf_release(&looked);
	if (geteuid() != 0) {
		fprintf(stderr, "vfs-fuzz: needs root: each run mounts a fixture of its own\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (sandbox_enter("vfs-fuzz", workdir, sizeof(workdir))) {
		fprintf(stderr, "vfs-fuzz: cannot make a work directory in a mount namespace\n");
		return 2;
	}
	if (!c.o.json)
		printf("%-24s %10s %10s %9s %9s %10s %9s\n", "TARGET", "STEPS", "REQUESTS", "REQ/S",
		       "RESTARTS", "RESTART-MS", "FINDINGS");
	int host_pct = c.o.host_pct;

	for (int i = 0; i < c.ntargets && !stop_sig; i++) {
		struct totals t;
		int r;

		c.o.target = c.targets[i];
		/* A tree that must not change under the daemon (fuse-overlayfs) gets no host changes. */
		c.o.host_pct = target_is(&c.o.target, TARGET_STATIC_TREE) ? 0 : host_pct;
		c.o.vhost_user = c.o.target.base->kind == TARGET_VHOST_USER ||
				 (c.foreign && !c.o.socket_transport);
		c.o.exceptions = oracle_exceptions_of(&c.o.target);
		/* libfuse's daemons trust the kernel's checks: over a bare /dev/fuse fd, be that kernel. */
		c.o.faithful = c.faithful || (!c.mutate_set &&
					     (c.o.target.base->kind == TARGET_FUSE_MOUNT ||
					      c.devfuse));
		r = c.jobs > 1 ? fuzz_jobs(&c.o, workdir, c.jobs, &t) : fuzz_target(&c.o, workdir, &t);
		if (r < 0) {
			rc = 2;
			continue;
		}
		found += r;
		table_row(&c.o, &t);
		fflush(stdout);
	}
	sandbox_leave(workdir);
	if (stop_sig)
		return 128 + stop_sig;
	return rc ? rc : found ? 1 : 0;
}
