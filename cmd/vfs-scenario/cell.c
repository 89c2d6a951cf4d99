/*
 * cell: the daemon of a cell is always stopped and its fixture always torn
 * down, on every path out: start failures, failed steps, the time limit,
 * a signal. A daemon that ends badly after steps that held still fails
 * the cell (a crash never passes unnoticed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture/canary.h"
#include "fixture/fuse_abort.h"
#include "fuzz/oracle_exceptions.h"
#include "util/hash_table.h" /* container_of */
#include "cache_lock.h"
#include "cell.h"
#include "control/control_client.h"
#include "inject_check.h"
#include "target/target_packaged.h"
#include "run.h"
#include "sandbox.h"
#include "watchdog.h"

static volatile int stop_flag;
static volatile int timed_out;
static volatile pid_t server_pid;
static volatile pid_t qemu_pid;   /* --guest=vm: the guest goes with the server */
static const char *volatile abort_path; /* a mount run's fusectl abort file */

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		timed_out = 1;
	else
		stop_flag = sig;
	/*
	 * A blocked step returns once the connection is aborted: killing the
	 * server is not enough when it is itself stuck in a request of its
	 * own mount. Then its process group (a daemon's helpers with it).
	 */
	if (abort_path)
		fuse_abort(abort_path);
	if (server_pid > 0) {
		kill(-server_pid, SIGKILL);
		kill(server_pid, SIGKILL);
	}
	if (qemu_pid > 0)
		kill(-qemu_pid, SIGKILL);
}

/* The watchdog's, at the time limit: what SIGALRM's handler does, from a thread that can. */
static void on_time_limit(void)
{
	on_signal(SIGALRM);
}

void cell_signals_install(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool cell_stopped(void)
{
	return stop_flag;
}

/* Whether the scenario's premise is one of vfs-serve's fault points. */
static bool uses_fault_points(const struct scenario *s)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == KIND_SERVER && !strcmp(s->steps[i].op->name, "fault"))
			return true;
	return false;
}

static bool has_inject_step(const struct scenario *s)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].kind == KIND_INJECT)
			return true;
	return false;
}

/* Whether the scenario restarts the daemon under its mount (not a protocol restart). */
static bool remounts(const struct scenario *s)
{
	for (int i = 0; !s->protocol && i < s->nsteps; i++)
		if (s->steps[i].kind == KIND_DAEMON && !strcmp(s->steps[i].op->name, "restart"))
			return true;
	return false;
}

/* A mount scenario on this target runs in a VM: a vhost-user target, with --guest=vm. */
static bool in_vm(const struct options *o, const struct scenario *s, const struct target *t)
{
	return o->guest_vm && !s->protocol &&
	       (t->base->kind == TARGET_VHOST_USER ||
		(t->base->kind == TARGET_FOREIGN && o->paths.vhost_cmd));
}

bool cell_applies(const struct options *o, const struct scenario *s, const struct target *t)
{
	enum target_kind k = t->base->kind;

	/* No guest kernel in a protocol scenario: the first kernel's column has it. */
	if (s->protocol && guest_kernel_repeat(o, t))
		return false;
	if ((s->requires & REQUIRES_VHOST_USER) &&
	    !(k == TARGET_VHOST_USER || (k == TARGET_FOREIGN && o->paths.vhost_cmd)))
		return false;
	/*
	 * Elsewhere the fault would not be made and the steps after it would
	 * pass untested: n/a. Faults in other daemons are `inject`'s.
	 */
	if (uses_fault_points(s) && !target_is(t, TARGET_OURS))
		return false;

	/*
	 * A daemon restarted under a running guest needs the VMM to reconnect
	 * its vhost-user-fs device, which QEMU 7.2 does not: n/a in a VM.
	 */
	if (in_vm(o, s, t))
		return !remounts(s) && (k == TARGET_FOREIGN ? !s->nonly : scenario_only(s, t));
	if (k == TARGET_FOREIGN)
		return !s->nonly && (s->protocol ? o->paths.vhost_cmd != NULL
						 : o->paths.server_cmd != NULL);
	if (!scenario_only(s, t))
		return false;
	/*
	 * Protocol scenarios need a FUSE client's way in (libfuse's daemons: a
	 * /dev/fuse fd of ours, with the devfuse word); mount ones a /dev/fuse
	 * server.
	 */
	if (s->protocol)
		return k == TARGET_DESIGN || k == TARGET_VHOST_USER ||
		       (k == TARGET_FUSE_MOUNT && target_option_in(t, "transport") &&
			!(s->requires & REQUIRES_FORGED));
	return k == TARGET_DESIGN || (k == TARGET_FUSE_MOUNT && !target_option_in(t, "transport"));
}

const char *cell_by_design(const struct scenario *s, const struct target *t)
{
	if (target_is(t, TARGET_STATIC_TREE) && scenario_changes_host(s))
		return t->base->by_design;
	return NULL;
}

const char *cell_unmet(const struct scenario *s)
{
	if ((s->requires & REQUIRES_ROOT) && geteuid() != 0)
		return "needs root";
	if ((s->requires & REQUIRES_LOOP) && access("/dev/loop-control", W_OK) < 0)
		return "needs loop devices (/dev/loop-control)";
	if (!s->protocol && access("/dev/fuse", R_OK | W_OK) < 0)
		return "needs /dev/fuse";
	return NULL;
}

/* The tail of a file, for failure reports. */
static void tail(const char *path, int lines, struct strbuf *out)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *ring[64] = { 0 };
	size_t cap = 0;
	int n = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		free(ring[n % lines]);
		ring[n++ % lines] = strdup(line);
	}
	for (int i = n > lines ? n - lines : 0; i < n; i++) {
		strbuf_addf(out, "    %s", ring[i % lines]);
		free(ring[i % lines]);
		ring[i % lines] = NULL;
	}
	for (int i = 0; i < lines; i++)
		free(ring[i]);
	free(line);
	fclose(f);
}

struct cell {
	const struct options *o;
	struct scenario *s;
	const struct target *t;
	const char *workdir;  /* the run's: what outlives a cell (the guest's snapshot) */
	char skip_why[512];   /* a premise the cell could not make, found in starting it */
	char dir[PATH_MAX + 8], source[PATH_MAX + 16], mnt[PATH_MAX + 16], ctl[PATH_MAX + 16];
	char log[PATH_MAX + 32], errlog[PATH_MAX + 32];
	char inject_log[PATH_MAX + 32], inject_armed[PATH_MAX + 32];
	struct strbuf canary_before;
	struct strvec argv;
	bool vm_run, protocol, vhost_user;
	struct run_ctx ctx;
	struct server sv;
	struct fuse_target ft;
	struct vm vm;
	struct strbuf details;
	char how[64];
};

/* The daemon's command line; 0, or the reason it cannot run here (a SKIP). */
static int cell_command(struct cell *c)
{
	struct target_run r = { .source = c->source, .mnt = c->mnt, .ctl = c->ctl, .log = c->log,
				.dir = c->dir,
				.serve_args = c->s->server_args, .nserve_args = c->s->nserver_args,
				.inject = c->s->inject, .ninject = c->s->ninject,
				.inject_log = c->inject_log, .inject_armed = c->inject_armed };
	int err = c->protocol || c->vm_run
		  ? target_protocol_argv(c->t, &c->o->paths, &r, &c->argv, &c->vhost_user)
		  : target_mount_argv(c->t, &c->o->paths, &r, &c->argv);

	if (err)
		strbuf_addf(&c->details, "cannot run %s: %s (%s)\n",
			    c->argv.nr ? c->argv.v[c->argv.nr - 1] : c->t->name, strerror(-err),
			    c->t->base->program ? "a Debian package: make deps installs it"
						: "build it: make build-tests");
	return err;
}

/*
 * A daemon that ended before serving under the scenario's "limit nofile":
 * its own minimum (the Rust virtiofsd's 610) is over the limit. The
 * premise cannot be made there: a SKIP saying so, in @c->skip_why.
 */
static void nofile_refused(struct cell *c, struct daemon *d)
{
	char desc[64];
	struct strbuf last = STRBUF_INIT;

	if (!c->s->nofile || !daemon_ended(d, 1000, desc, sizeof(desc)))
		return;
	tail(c->errlog, 1, &last);
	while (last.len && last.buf[last.len - 1] == '\n')
		last.buf[--last.len] = '\0';
	snprintf(c->skip_why, sizeof(c->skip_why), "the daemon does not run under limit nofile=%ld "
		 "(%s): %s", c->s->nofile, desc, last.len ? last.buf + strspn(last.buf, " ") : "");
	strbuf_release(&last);
}

/*
 * daemon restart in a mount run (ops.h): the signal handler's pid and
 * abort file follow the new daemon, and vfs-serve's control socket is
 * the new one's.
 */
static int cell_remount(struct step_ctx *st, char *how, size_t len)
{
	struct cell *c = container_of(st, struct cell, ctx.step);
	int err;

	server_pid = 0;
	abort_path = NULL;
	err = server_restart(&c->sv, c->argv.v, c->errlog, c->s->nofile, 5000, how, len);
	server_pid = c->sv.pid;
	abort_path = c->sv.abort_path[0] ? c->sv.abort_path : NULL;
	st->server_pid = c->sv.pid;
	if (!err && st->control_fd >= 0) {
		close(st->control_fd);
		st->control_fd = control_connect(c->ctl);
		if (st->control_fd < 0)
			err = st->control_fd;
	}
	return err;
}

/* Starts the daemon the way the cell needs it; 0, or -1 with the report in details. */
static int cell_start(struct cell *c)
{
	struct errbuf e;
	int err;

	if (c->vm_run) {
		char image[PATH_MAX];

		guest_kernel_image(c->o, c->t, image, sizeof(image));
		daemon_nofile(c->s->nofile); /* the daemon's, not QEMU's */
		err = vm_start(&c->vm, c->argv.v, c->source, c->dir, c->errlog, image, c->workdir, &e);
		daemon_nofile(0);
		server_pid = c->vm.daemon.pid;
		if (err) {
			strbuf_addf(&c->details, "the guest did not come up: %s; the daemon's output:\n",
				    e.msg);
			tail(c->errlog, 6, &c->details);
			strbuf_addstr(&c->details, "  the guest's console (last lines):\n");
			tail(c->vm.console, 20, &c->details); /* a panic's first line, its trace after */
			nofile_refused(c, &c->vm.daemon);
			vm_stop(&c->vm, c->how, sizeof(c->how));
			server_pid = 0;
			return -1;
		}
		c->ctx.step.vm = &c->vm;
		c->ctx.step.server_pid = c->vm.daemon.pid;
		qemu_pid = c->vm.qemu.pid;
	} else if (c->protocol) {
		struct vu_front_config vc;

		vu_front_config_default(&vc);
		vc.timeout_ms = 10000; /* ASan builds of a daemon are slow to start */
		vc.notification = true; /* taken where offered: notify steps need it */
		vc.device_state = true; /* taken where offered: daemon save/load need it */
		daemon_nofile(c->s->nofile);
		err = fuse_target_open(&c->ft, c->vhost_user ? FUSE_TARGET_VHOST_USER :
				       FUSE_TARGET_SOCKET, c->argv.v, NULL, c->source, c->dir,
				       c->errlog, &vc, c->s->init ? c->s->init : c->o->init, false);
		daemon_nofile(0);
		server_pid = c->ft.daemon.pid;
		if (err) {
			strbuf_addf(&c->details, "the daemon did not serve: %s; its output:\n",
				    c->ft.err.msg);
			nofile_refused(c, &c->ft.daemon);
			fuse_target_close(&c->ft, 1000, c->how, sizeof(c->how));
			server_pid = 0;
			tail(c->errlog, 10, &c->details);
			return -1;
		}
		c->ctx.step.fuse = &c->ft;
		c->ctx.step.server_pid = c->ft.daemon.pid;
		if (c->s->oracle) {
			c->ctx.step.oracle = fuzz_oracle_new(c->source, oracle_exceptions_of(c->t), &err);
			if (!c->ctx.step.oracle) {
				strbuf_addf(&c->details, "the oracle cannot read the share's file "
					    "handles: %s\n", strerror(-err));
				fuse_target_close(&c->ft, 1000, c->how, sizeof(c->how));
				server_pid = 0;
				return -1;
			}
		}
	} else {
		err = server_start(&c->sv, c->argv.v, c->mnt, c->errlog, c->s->nofile);
		if (err) {
			strbuf_addf(&c->details, "the server did not mount (%s); its output:\n",
				    strerror(-err));
			tail(c->errlog, 10, &c->details);
			return -1;
		}
		server_pid = c->sv.pid;
		abort_path = c->sv.abort_path[0] ? c->sv.abort_path : NULL;
		c->ctx.step.server_pid = c->sv.pid;
		c->ctx.step.remount = cell_remount;
	}
	return 0;
}

static void cell_stop(struct cell *c)
{
	fuzz_oracle_free(c->ctx.step.oracle);
	c->ctx.step.oracle = NULL;
	server_pid = 0;
	qemu_pid = 0;
	abort_path = NULL;
	if (c->vm_run)
		vm_stop(&c->vm, c->how, sizeof(c->how));
	else if (c->protocol)
		fuse_target_close(&c->ft, 1000, c->how, sizeof(c->how));
	else
		server_stop(&c->sv);
}

/* The steps, under the time limit; whether they held, the daemon's end included. */
static bool cell_steps(struct cell *c)
{
	bool held;

	c->ctx.step.guest_root = c->vm_run ? "/mnt" : c->mnt; /* the guest's own mount, where the agent works */
	c->ctx.step.host_root = c->source;
	c->ctx.control_path = c->ctl;
	timed_out = 0;
	c->ctx.step.inject_armed = c->inject_armed;
	/* Armed now, once the session is up, unless a step arms them later. */
	if (c->s->ninject && !has_inject_step(c->s) && inject_arm(c->inject_armed, &c->ctx.step.armed_ns)) {
		strbuf_addf(&c->ctx.report, "  runner error: cannot arm the faults at %s\n",
			    c->inject_armed);
		c->ctx.runner_error = true;
		return false;
	}
	if (watchdog_arm(c->o->timeout, on_time_limit)) {
		strbuf_addstr(&c->ctx.report, "  runner error: cannot start the time limit's thread\n");
		c->ctx.runner_error = true;
		return false;
	}
	held = run_scenario(&c->ctx);
	watchdog_disarm();
	if (timed_out)
		strbuf_addf(&c->ctx.report, "no answer within %d s (--timeout): %s\n", c->o->timeout,
			    c->vm_run || c->protocol ? "the daemon was killed"
			    : c->sv.abort_path[0] ? "its FUSE connection was aborted and its process "
						    "group killed"
			    : "its process group was killed (no fusectl to abort the connection)");
	if (c->vm_run || c->protocol) {
		/* Hung up: a daemon ends now; how it ends counts unless a step asked. */
		if (c->vm_run) {
			vm_stop(&c->vm, c->how, sizeof(c->how));
			if (c->o->verbose)
				fprintf(stderr, "  vm: ready %lld ms after the daemon's start, off in %lld ms\n",
					c->vm.boot_ms, c->vm.stop_ms);
		} else {
			fuse_target_close(&c->ft, 5000, c->how, sizeof(c->how));
		}
		server_pid = 0;
		if (held && !c->ctx.step.status_asked && strcmp(c->how, "exit 0") &&
		    !(c->ft.daemon.devfuse && !strncmp(c->how, "exit ", 5))) {
			strbuf_addf(&c->ctx.report, "after the last step the daemon ended: %s (a "
				    "scenario that expects this says so with daemon status)\n", c->how);
			held = false;
		}
	}
	/* Read once the daemon is gone: its last calls are logged by then. */
	if (c->s->ninject && !c->ctx.premise_failed && !stop_flag &&
	    !inject_verify(c->inject_log, c->s->inject, c->s->ninject, c->ctx.step.armed_ns,
			   &c->ctx.report)) {
		strbuf_addstr(&c->ctx.report, "  runner error: the fault did not land as the "
			      "scenario says\n");
		c->ctx.runner_error = true;
		held = false;
	}
	return held;
}

static void cell_report(struct cell *c, bool held, struct results *rs)
{
	bool ours = target_is(c->t, TARGET_OURS);

	if (!held) {
		strbuf_addstr(&c->details, c->ctx.report.buf);
		if (ours) {
			strbuf_addstr(&c->details, "  decision log (last lines):\n");
			tail(c->log, 8, &c->details);
		}
		strbuf_addstr(&c->details, "  server stderr (last lines):\n");
		tail(c->errlog, 5, &c->details);
		if (c->vm_run) {
			strbuf_addstr(&c->details, "  the guest's console (last lines):\n");
			tail(c->vm.console, 8, &c->details);
		}
	}
	if (timed_out && !stop_flag) {
		results_add(rs, c->s, c->t, OUTCOME_HANG, NULL, c->details.buf);
	} else if (stop_flag && !timed_out) {
		results_add(rs, c->s, c->t, OUTCOME_SKIP, "interrupted", NULL);
	} else if (c->ctx.premise_failed && c->ctx.not_applicable) {
		char why[512];

		snprintf(why, sizeof(why), "the target does not offer it: %s", c->ctx.report.buf);
		results_add(rs, c->s, c->t, OUTCOME_NA, why, NULL);
	} else if (c->ctx.premise_failed) {
		char why[512];

		snprintf(why, sizeof(why), "premise did not hold: %s", c->ctx.report.buf);
		results_add(rs, c->s, c->t, OUTCOME_SKIP, why, NULL);
	} else {
		enum outcome o = c->t->base->kind == TARGET_FOREIGN ? (held ? OUTCOME_PASS : OUTCOME_FAIL)
								     : judge(c->s, c->t, &c->ctx, held);

		/* A documented behaviour, shown as declared: by design, with where it is documented. */
		results_add(rs, c->s, c->t, o,
			    o == OUTCOME_DESIGN ? scenario_by_design(c->s, c->t) : NULL,
			    c->details.buf);
	}
}

void cell_run(const struct options *o, const char *workdir, struct scenario *s,
	      const struct target *t, struct results *rs)
{
	struct cell c = { .o = o, .s = s, .t = t, .argv = STRVEC_INIT, .details = STRBUF_INIT,
			  .canary_before = STRBUF_INIT, .vm = { .agent = { .fd = -1 }, .qmp = { .fd = -1 },
				  .session = { { .fd = -1 }, { .fd = -1 } } } };
	int err, lock;

	c.ctx = (struct run_ctx){ .step = { .s = s, .control_fd = -1, .verbose = o->verbose,
					    .stop = &stop_flag, .fields = FUSE_WORDS_OUT_INIT },
				  .report = STRBUF_INIT };
	c.ctx.step.notes = &c.ctx.report;
	c.vm_run = in_vm(o, s, t);
	lock = cache_lock_take(s, !s->protocol && !c.vm_run);
	c.workdir = workdir;
	c.protocol = s->protocol;
	snprintf(c.dir, sizeof(c.dir), "%s/run", workdir);
	snprintf(c.source, sizeof(c.source), "%s/source", c.dir);
	snprintf(c.mnt, sizeof(c.mnt), "%s/mnt", c.dir);
	snprintf(c.ctl, sizeof(c.ctl), "%s/ctl", c.dir);
	snprintf(c.log, sizeof(c.log), "%s/decisions.log", c.dir);
	snprintf(c.errlog, sizeof(c.errlog), "%s/server.err", c.dir);
	snprintf(c.inject_log, sizeof(c.inject_log), "%s/inject.log", c.dir);
	snprintf(c.inject_armed, sizeof(c.inject_armed), "%s/inject.armed", c.dir);
	if (o->verbose)
		fprintf(stderr, "%s [%s]\n", s->name, t->name);
	err = fixture_build(o->fixtures, s->fixture, c.dir, c.errlog);
	if (err) {
		strbuf_addf(&c.details, "fixture %s could not be built (%s); its output:\n",
			    s->fixture, strerror(-err));
		tail(c.errlog, 10, &c.details);
		results_add(rs, s, t, OUTCOME_FAIL, NULL, c.details.buf);
		goto out_fixture;
	}
	/* The share may be below the fixture's root (fuse-overlayfs: the upper layer). */
	err = c.vm_run ? 0 : target_layout(t, c.source, c.source, sizeof(c.source));
	if (err) {
		strbuf_addf(&c.details, "runner error: cannot lay %s out for %s: %s\n", s->fixture,
			    t->name, strerror(-err));
		results_add(rs, s, t, OUTCOME_FAIL, NULL, c.details.buf);
		goto out_fixture;
	}
	if (cell_command(&c)) {
		results_add(rs, s, t, OUTCOME_SKIP, c.details.buf, NULL);
		goto out_fixture;
	}
	if (s->canary) {
		err = canary_make(c.dir, &c.canary_before);
		if (err) {
			strbuf_addf(&c.details, "the canary beside the share could not be made: %s\n",
				    strerror(-err));
			results_add(rs, s, t, OUTCOME_FAIL, NULL, c.details.buf);
			goto out_fixture;
		}
		c.ctx.step.canary_dir = c.dir;
		c.ctx.step.canary_before = c.canary_before.buf;
	}
	if (cell_start(&c)) {
		results_add(rs, s, t, c.skip_why[0] ? OUTCOME_SKIP : OUTCOME_FAIL,
			    c.skip_why[0] ? c.skip_why : NULL, c.details.buf);
		goto out_fixture;
	}
	if (target_is(t, TARGET_OURS)) {
		c.ctx.step.control_fd = control_connect(c.ctl);
		if (c.ctx.step.control_fd < 0) {
			strbuf_addf(&c.details, "cannot connect to the control socket: %s\n",
				    strerror(-c.ctx.step.control_fd));
			results_add(rs, s, t, OUTCOME_FAIL, NULL, c.details.buf);
			goto out_daemon;
		}
	}
	cell_report(&c, cell_steps(&c), rs);
	if (c.ctx.step.control_fd >= 0)
		close(c.ctx.step.control_fd);
out_daemon:
	cell_stop(&c);
out_fixture:
	fixture_teardown(c.dir);
	strbuf_release(&c.ctx.report);
	fuse_words_out_release(&c.ctx.step.fields);
	strbuf_release(&c.details);
	strbuf_release(&c.canary_before);
	strvec_clear(&c.argv);
	cache_lock_release(lock);
}

enum outcome cell_outcome(const struct options *o, const char *workdir, struct scenario *s,
			  const struct target *t)
{
	struct results one = { 0 };
	enum outcome r;

	cell_run(o, workdir, s, t, &one);
	r = one.n ? one.r[0].outcome : OUTCOME_SKIP;
	results_free(&one);
	return r;
}
