/*
 * run: steps in order, with variables substituted at the moment a step
 * runs; the first expectation that does not hold ends the scenario, and
 * what was expected and what came is kept for the report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/control_client.h"
#include "util/errno_name.h"
#include "ops.h"
#include "util/array.h"
#include "run.h"

#define UNKNOWN "\x01unknown" /* a value a skipped server step would have made */

struct vars {
	struct var { char *name, *value; } *v;
	int n;
	size_t cap;
};

static int var_set(struct vars *v, const char *name, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->v[i].name, name)) {
			free(v->v[i].value);
			v->v[i].value = copy;
			return 0;
		}
	if (ARRAY_GROW(v->v, (size_t)v->n + 1, v->cap) || !(v->v[v->n].name = strdup(name))) {
		free(copy);
		return -ENOMEM;
	}
	v->v[v->n++].value = copy;
	return 0;
}

static const char *var_get(struct vars *v, const char *name, size_t len)
{
	for (int i = 0; i < v->n; i++)
		if (strlen(v->v[i].name) == len && !strncmp(v->v[i].name, name, len))
			return v->v[i].value;
	return "";
}

static void vars_free(struct vars *v)
{
	for (int i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* The '}' that closes a ${ whose word starts at @s, braces inside it counted; NULL if none. */
static const char *closing_brace(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && depth-- == 0)
			return s;
	}
	return NULL;
}

/*
 * @s with $NAME and ${NAME} replaced, into *@out; *unknown if one was
 * UNKNOWN. -E2BIG past SCENARIO_VALUE_MAX bytes, -ENOMEM.
 */
static int expand(struct vars *v, const char *s, bool *unknown, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int err = 0;

	*out = NULL;
	for (const char *p = s; *p && !err; p++) {
		const char *name, *end, *val;
		char one[2] = { *p, '\0' }, key[256];
		bool braced;

		if (*p != '$') {
			val = one;
		} else {
			name = p + 1;
			braced = *name == '{';
			if (braced)
				name++;
			for (end = name; (*end >= 'a' && *end <= 'z') ||
			     (*end >= 'A' && *end <= 'Z') || (*end >= '0' && *end <= '9') ||
			     *end == '_'; end++)
				;
			p = end - 1;
			val = var_get(v, name, (size_t)(end - name));
			if (*end == '[' && strchr(end, ']')) {
				/* $NAME[INDEX]: the index is expanded first */
				const char *close = strchr(end, ']');
				char *inner, *index;

				inner = strndup(end + 1, (size_t)(close - end - 1));
				err = inner ? expand(v, inner, unknown, &index) : -ENOMEM;
				free(inner);
				if (!err) {
					err = indexed_name(name, (size_t)(end - name), index, key,
							   sizeof(key));
					free(index);
				}
				if (err)
					break;
				val = var_get(v, key, strlen(key));
				p = close;
			}
			if (braced && p[1] == ':' && p[2] == '-') {
				/* ${NAME:-WORD}: WORD, expanded, when NAME is empty */
				const char *word = p + 3, *close = closing_brace(word);
				char *inner, *dflt = NULL;

				if (!close)
					break;
				if (!*val) {
					inner = strndup(word, (size_t)(close - word));
					err = inner ? expand(v, inner, unknown, &dflt) : -ENOMEM;
					free(inner);
					if (err)
						break;
				}
				p = close - 1;
				if (dflt) {
					p++;
					if (sb.len + strlen(dflt) > SCENARIO_VALUE_MAX)
						err = -E2BIG;
					else
						strbuf_addstr(&sb, dflt);
					free(dflt);
					continue;
				}
			}
			if (braced)
				p++; /* the closing brace */
			if (!strcmp(val, UNKNOWN))
				*unknown = true;
		}
		if (sb.len + strlen(val) > SCENARIO_VALUE_MAX)
			err = -E2BIG;
		else
			strbuf_addstr(&sb, val);
		if (sb.failed)
			err = -ENOMEM;
	}
	if (err) {
		strbuf_release(&sb);
		return err;
	}
	*out = strbuf_detach(&sb);
	return *out ? 0 : -ENOMEM;
}

/* "=> NAME" or "=> NAME[INDEX]" (the index expanded now). */
static int capture(struct vars *v, const char *target, const char *value)
{
	bool unknown = false;
	char *name;
	int err = strchr(target, '[') ? expand(v, target, &unknown, &name) : 0;

	if (err)
		return err;
	if (!strchr(target, '['))
		return var_set(v, target, value);
	err = strlen(name) < 256 ? var_set(v, name, value) : -E2BIG;
	free(name);
	return err;
}

/* A fuse step's named results too: NAME[generation], NAME[ino], ... */
static int capture_fields(struct vars *v, const char *target, const struct fuse_words_out *o,
			  bool failed)
{
	char name[320];
	int err = 0;

	/* Only a plain NAME: NAME[INDEX] keeps just the value. */
	for (int i = 0; !err && !strchr(target, '[') && i < o->nfields; i++) {
		if (indexed_name(target, strlen(target), o->field[i].key, name, sizeof(name)))
			return -E2BIG;
		err = var_set(v, name, failed ? "" : o->field[i].value);
	}
	return err;
}

static const char *kind_name(enum step_kind k)
{
	return k == KIND_GUEST ? "guest" : k == KIND_HOST ? "host" : k == KIND_SERVER ? "server" :
	       k == KIND_DAEMON ? "daemon" : k == KIND_FUSE ? "fuse" : k == KIND_RAW ? "raw" :
	       k == KIND_NOTIFY ? "notify" : k == KIND_INJECT ? "inject" :
	       k == KIND_CANARY ? "canary" : k == KIND_ORACLE ? "oracle" : "set";
}

static void describe(struct strbuf *sb, const struct step *st, char **argv)
{
	/* fuse, raw and set steps: their first argument names what they do. */
	if (st->kind & (KIND_FUSE | KIND_RAW | KIND_SET))
		strbuf_addstr(sb, kind_name(st->kind));
	else
		strbuf_addf(sb, "%s %s", kind_name(st->kind), st->op->name);
	for (int i = 0; i < st->argc; i++)
		strbuf_addf(sb, strchr(argv[i], ' ') || !*argv[i] ? " \"%s\"" : " %s", argv[i]);
}

static void describe_result(struct strbuf *sb, int r, const char *value)
{
	if (r)
		strbuf_addstr(sb, errno_name(-r) ? errno_name(-r) : "unknown errno");
	else
		strbuf_addf(sb, "\"%s\"", value);
}

static bool holds(const struct expect *e, int r, const char *value, const char *want)
{
	bool m;

	switch (e->type) {
	case EXPECT_ANY:
		return true;
	case EXPECT_NONE:
	case EXPECT_OK:
		m = r == 0;
		break;
	case EXPECT_ERRNO:
		m = r == -e->err;
		break;
	case EXPECT_AT_MOST:
	case EXPECT_AT_LEAST: {
		char *end;
		long long got = strtoll(value, &end, 10), bound = strtoll(want, NULL, 10);

		m = r == 0 && *value && !*end &&
		    (e->type == EXPECT_AT_MOST ? got <= bound : got >= bound);
		break;
	}
	default:
		m = r == 0 && !strcmp(value, want);
		break;
	}
	return e->negate ? !m : m;
}

static void describe_expect(struct strbuf *sb, const struct expect *e, const char *want)
{
	const char *neg = e->negate ? "anything but " : "";

	if (e->type == EXPECT_ERRNO)
		strbuf_addf(sb, "%s%s", neg, errno_name(e->err));
	else if (e->type == EXPECT_VALUE)
		strbuf_addf(sb, "%s\"%s\"", neg, want);
	else if (e->type == EXPECT_AT_MOST || e->type == EXPECT_AT_LEAST)
		strbuf_addf(sb, "%sa number %s %s", neg, e->type == EXPECT_AT_MOST ? "<=" : ">=", want);
	else
		strbuf_addstr(sb, e->negate ? "a failure" : "success");
}

/* A guest step in the VM: the agent confines its paths, as confine_args does here. */
static int vm_guest_step(struct run_ctx *ctx, const struct step *st, char **argv,
			 struct strbuf *value)
{
	char flags[STEP_MAX_ARGS], refusal[512];
	int r;

	for (int k = 0; k < st->argc; k++)
		flags[k] = !op_arg_is_path(st->op, k) ? 'v' : op_follows(st->op) ? 'P' : 'p';
	r = vm_step(ctx->step.vm, op_find(st->op->name, KIND_HOST) ? "file" : "guest", st->op->name,
		    st->argc, argv, flags, value, refusal, sizeof(refusal));
	if (refusal[0])
		ops_refuse("%s", refusal);
	return r;
}

static int exec_step(struct run_ctx *ctx, const struct step *st, char **argv,
		     struct vars *v, struct strbuf *value)
{
	const char *op = st->op->name;
	int err;

	switch (st->kind) {
	case KIND_GUEST:
		if (ctx->step.vm)
			return vm_guest_step(ctx, st, argv, value);
		if (op_find(op, KIND_HOST))
			return op_file(ctx->step.guest_root, true, op, st->argc, argv, value);
		return op_guest(ctx->step.guest_root, op, st->argc, argv, value);
	case KIND_HOST:
		return op_file(ctx->step.host_root, false, op, st->argc, argv, value);
	case KIND_SERVER:
		return op_server(&ctx->step, op, st->argc, argv, value);
	case KIND_DAEMON:
		return op_daemon(&ctx->step, op, st->argc, argv, value);
	case KIND_FUSE:
	case KIND_RAW:
		return op_fuse(&ctx->step, st->kind == KIND_RAW, st->argc, argv, value);
	case KIND_NOTIFY:
		return op_notify(&ctx->step, op, st->argc, argv, value);
	case KIND_INJECT:
		return op_inject(&ctx->step, op, value);
	case KIND_CANARY:
		return op_canary(&ctx->step, value);
	case KIND_ORACLE:
		return op_oracle(&ctx->step, op, value);
	default:
		err = var_set(v, argv[0], argv[1]);
		if (err)
			ops_refuse("out of memory setting '%s'", argv[0]);
		strbuf_addstr(value, argv[1]);
		return err;
	}
}

/*
 * The kernel sends RELEASE after close() has returned: before the next
 * step, wait until the server has closed what the guest closed, so a host
 * step after "guest read" finds the file as unused as a scenario says.
 * 0, or -ETIMEDOUT after 5 s (the scenario's premise is then unknown).
 */
static int settle(struct run_ctx *ctx)
{
	struct strbuf v = STRBUF_INIT;
	char *argv[] = { "files_open" };
	int want = ctx->step.vm ? ctx->step.vm->open_files : ops_guest_open_files(), r = -ETIMEDOUT;

	for (int tries = 0; tries < 500 && !*ctx->step.stop; tries++) {
		strbuf_reset(&v);
		r = op_server(&ctx->step, "counter", 1, argv, &v);
		if (r || atoi(v.buf) <= want)
			break;
		r = -ETIMEDOUT;
		usleep(10000);
	}
	strbuf_release(&v);
	return r;
}

/* Every path argument stays below the step's root; -EXDEV after a refusal. */
static int confine_args(const struct run_ctx *ctx, const struct step *st, char **argv)
{
	const char *root = st->kind == KIND_GUEST ? ctx->step.guest_root : ctx->step.host_root;
	bool follow = op_follows(st->op);

	if (st->kind == KIND_GUEST && ctx->step.vm)
		return 0; /* the guest's agent confines them, below its mount */
	for (int k = 0; k < st->argc; k++) {
		if (!op_arg_is_path(st->op, k) ||
		    (st->kind == KIND_SERVER && !strncmp(argv[k], "ino=", 4)))
			continue;
		if (ops_confine(root, argv[k], follow))
			return -EXDEV;
	}
	return 0;
}

/* A failure of the runner, not of the server: the run is FAIL, never a bug. */
static void runner_error(struct run_ctx *ctx, const struct step *st, char **argv,
			 const char *why)
{
	strbuf_addf(&ctx->report, "%s:%d: ", ctx->step.s->path, st->line);
	if (argv)
		describe(&ctx->report, st, argv);
	else if (st->op)
		strbuf_addf(&ctx->report, "%s %s", kind_name(st->kind), st->op->name);
	else if (st->background || st->join) /* the lines that have no operation */
		strbuf_addf(&ctx->report, "%s %s", st->background ? "background" : "join",
			    st->background ? st->background : st->join);
	else
		strbuf_addstr(&ctx->report, st->repeat_end > (int)(st - ctx->step.s->steps) ?
			    "repeat" : "end");
	strbuf_addf(&ctx->report, "\n  runner error: %s\n", why);
	ctx->runner_error = true;
}

/*
 * Background blocks run in a child process (a copy of the runner: the
 * variables as they were, its own control connection) while the scenario
 * goes on; join (or the scenario's end) collects what the child found.
 */
#define MAX_BACKGROUND 16

static struct background {
	const struct step *st;
	pid_t pid;
	int fd;      /* the child's result: flags, then its report */
	int session; /* in a VM: the agent session its guest steps go to, or -1 */
} bgs[MAX_BACKGROUND];
static int nbg;

struct bg_result {
	bool ok, witness_failed, runner_error, premise_failed, not_applicable;
};

static bool run_range(struct run_ctx *ctx, struct vars *v, struct strbuf *value, int from,
		      int to);

static bool has_guest_steps(const struct scenario *s, int from, int to)
{
	for (int i = from; i < to; i++)
		if (s->steps[i].kind == KIND_GUEST)
			return true;
	return false;
}

/*
 * In a VM the guest has one agent per connection: a block with guest
 * steps takes a session no running block has. Its index, -1 if none is
 * needed, or -EBUSY when all are taken.
 */
static int pick_session(const struct run_ctx *ctx, const struct step *st, int at)
{
	if (!ctx->step.vm || !has_guest_steps(ctx->step.s, at + 1, st->repeat_end))
		return -1;
	for (int k = 0; k < VM_SESSIONS; k++) {
		bool taken = false;

		for (int i = 0; i < nbg; i++)
			taken |= bgs[i].session == k;
		if (!taken)
			return k;
	}
	return -EBUSY;
}

/* The child's block has run: in a VM its session closes what the block left open. */
static void end_session(struct run_ctx *ctx, const struct step *st, int session,
			struct bg_result *res)
{
	char why[128];
	int r;

	if (session < 0)
		return;
	r = vm_end_session(ctx->step.vm);
	if (r) {
		snprintf(why, sizeof(why), "the block's agent session did not end: %s", strerror(-r));
		runner_error(ctx, st, NULL, why);
		res->ok = false;
		res->runner_error = true;
	}
}

static bool start_background(struct run_ctx *ctx, struct vars *v, struct strbuf *value,
			     int at)
{
	const struct step *st = &ctx->step.s->steps[at];
	int p[2], session = pick_session(ctx, st, at);
	pid_t pid, parent;

	if (nbg == MAX_BACKGROUND) {
		runner_error(ctx, st, NULL, "more than 16 background blocks at once");
		return false;
	}
	if (session == -EBUSY) {
		/* VM_SESSIONS of them: vm_qemu.h */
		runner_error(ctx, st, NULL, "more than 2 background blocks with guest steps at once "
			     "in a VM (its agent has 2 sessions for them)");
		return false;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		runner_error(ctx, st, NULL, "cannot make a pipe for the background block");
		return false;
	}
	fflush(stdout);
	fflush(stderr);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		runner_error(ctx, st, NULL, "cannot fork the background block");
		return false;
	}
	if (pid == 0) {
		struct bg_result res;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(2); /* the runner died before the line above */
		close(p[0]);
		nbg = 0; /* its parent's blocks are not its own */
		ctx->in_background = true;
		if (ctx->step.control_fd >= 0) {
			close(ctx->step.control_fd);
			ctx->step.control_fd = control_connect(ctx->control_path);
		}
		strbuf_release(&ctx->report);
		ctx->report = (struct strbuf)STRBUF_INIT;
		ctx->premise_failed = ctx->not_applicable = ctx->runner_error = ctx->witness_failed = false;
		if (session >= 0)
			vm_use_session(ctx->step.vm, session);
		res.ok = run_range(ctx, v, value, at + 1, st->repeat_end);
		end_session(ctx, st, session, &res);
		res.witness_failed = ctx->witness_failed;
		res.runner_error = ctx->runner_error;
		res.premise_failed = ctx->premise_failed;
		res.not_applicable = ctx->not_applicable;
		if (write(p[1], &res, sizeof(res)) != (ssize_t)sizeof(res) ||
		    (ctx->report.len && write(p[1], ctx->report.buf, ctx->report.len) < 0))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	bgs[nbg++] = (struct background){ .st = st, .pid = pid, .fd = p[0], .session = session };
	return true;
}

/* Waits for background block @k and takes in what it found. */
static bool join_background(struct run_ctx *ctx, int k, const struct step *at)
{
	struct background b = bgs[k];
	struct bg_result res = { 0 };
	struct strbuf report = STRBUF_INIT;
	char buf[4096];
	ssize_t n, got = read(b.fd, &res, sizeof(res));
	int status = 0;

	while ((n = read(b.fd, buf, sizeof(buf))) > 0)
		strbuf_addf(&report, "%.*s", (int)n, buf);
	close(b.fd);
	waitpid(b.pid, &status, 0);
	bgs[k] = bgs[--nbg];
	if (got != (ssize_t)sizeof(res) || !WIFEXITED(status) || WEXITSTATUS(status)) {
		runner_error(ctx, at, NULL, "the background block died before it could report");
		strbuf_release(&report);
		return false;
	}
	if (!res.ok) {
		strbuf_addf(&ctx->report, "background %s (line %d):\n%s", b.st->background,
			    b.st->line, report.buf);
		ctx->witness_failed |= res.witness_failed;
		ctx->runner_error |= res.runner_error;
		ctx->premise_failed |= res.premise_failed;
		ctx->not_applicable |= res.not_applicable;
	}
	strbuf_release(&report);
	return res.ok;
}

static int find_background(const char *name)
{
	for (int k = 0; k < nbg; k++)
		if (!strcmp(bgs[k].st->background, name))
			return k;
	return -1;
}

bool run_scenario(struct run_ctx *ctx)
{
	struct strbuf value = STRBUF_INIT;
	struct vars v = { 0 };
	bool ok;

	ctx->report = (struct strbuf)STRBUF_INIT;
	ctx->premise_failed = ctx->not_applicable = ctx->runner_error = ctx->witness_failed = false;
	ok = run_range(ctx, &v, &value, 0, ctx->step.s->nsteps);
	/*
	 * Blocks never joined are joined now; after a failure they are stopped
	 * and reaped, their verdict no longer matters.
	 */
	while (nbg) {
		if (!ok || *ctx->step.stop) {
			kill(bgs[nbg - 1].pid, SIGKILL);
			waitpid(bgs[nbg - 1].pid, NULL, 0);
			close(bgs[nbg - 1].fd);
			nbg--;
		} else if (!join_background(ctx, nbg - 1, &ctx->step.s->steps[ctx->step.s->nsteps - 1])) {
			ok = false;
		}
	}
	ops_close_all();
	vars_free(&v);
	strbuf_release(&value);
	return ok;
}

struct loops {
	struct { int start, left, iter; } l[SCENARIO_MAX_DEPTH];
	int depth;
};

/* A repeat or end line at *@i: enters, goes round again (moving *@i) or leaves. */
static bool loop_step(struct run_ctx *ctx, struct vars *v, struct loops *lp, int *i)
{
	const struct step *st = &ctx->step.s->steps[*i], *rep;
	char num[16];

	if (st->repeat_end > *i) { /* repeat: a new counter from 0 */
		lp->l[lp->depth].start = *i;
		lp->l[lp->depth].left = st->repeat_count;
		lp->l[lp->depth++].iter = 0;
	} else if (--lp->l[lp->depth - 1].left > 0) { /* end, go round again */
		*i = lp->l[lp->depth - 1].start;
		lp->l[lp->depth - 1].iter++;
	} else { /* end, done */
		lp->depth--;
		return true;
	}
	rep = &ctx->step.s->steps[lp->l[lp->depth - 1].start];
	snprintf(num, sizeof(num), "%d", lp->l[lp->depth - 1].iter);
	if (var_set(v, rep->repeat_var, num)) {
		runner_error(ctx, st, NULL, "out of memory");
		return false;
	}
	return true;
}

/* --verbose: the step as run, and what it gave. */
static void trace_step(const struct run_ctx *ctx, const struct step *st, char **argv, int r,
		       const char *value)
{
	struct strbuf d = STRBUF_INIT;

	describe(&d, st, argv);
	fprintf(stderr, "  %s:%d: %s -> ", ctx->step.s->path, st->line, d.buf);
	strbuf_release(&d);
	if (r)
		fprintf(stderr, "%s\n", errno_name(-r) ? errno_name(-r) : "?");
	else
		fprintf(stderr, "\"%.*s\"\n", (int)strcspn(value, "\n"), value);
}

/*
 * What a step that ran gave (@r, @value) against its expectation (@want
 * and the witness's @bug, expanded): a premise that failed, a failure
 * (the bug only when a witness failed the declared way), or a capture.
 * False ends the run.
 */
static bool judge_step(struct run_ctx *ctx, const struct step *st, char **argv, int r,
		       const char *value, const char *want, const char *bug, struct vars *v)
{
	if (!holds(&st->expect, r, value, want) && st->assume) {
		/* One line: it becomes the reason the run does not count (notes before it go). */
		ctx->premise_failed = true;
		ctx->not_applicable = st->applies;
		strbuf_reset(&ctx->report);
		strbuf_addf(&ctx->report, "line %d, ", st->line);
		describe(&ctx->report, st, argv);
		strbuf_addf(&ctx->report, ": expected ");
		describe_expect(&ctx->report, &st->expect, want);
		strbuf_addf(&ctx->report, ", got ");
		describe_result(&ctx->report, r, value);
		return false;
	}
	if (!holds(&st->expect, r, value, want)) {
		strbuf_addf(&ctx->report, "%s:%d: ", ctx->step.s->path, st->line);
		describe(&ctx->report, st, argv);
		strbuf_addf(&ctx->report, "\n  expected: ");
		describe_expect(&ctx->report, &st->expect, want);
		strbuf_addf(&ctx->report, "\n  got:      ");
		describe_result(&ctx->report, r, value);
		strbuf_addf(&ctx->report, "\n");
		/* The bug shows only as a witness failing the declared way. */
		ctx->witness_failed = st->witness &&
			(st->bug.type == EXPECT_NONE || holds(&st->bug, r, value, bug));
		if (st->witness && !ctx->witness_failed) {
			strbuf_addf(&ctx->report, "  the witness failed, but not as declared: ");
			describe_expect(&ctx->report, &st->bug, bug);
			strbuf_addf(&ctx->report, "\n");
		}
		return false;
	}
	if (st->capture && (capture(v, st->capture, r ? "" : value) ||
			    ((st->kind & (KIND_FUSE | KIND_RAW)) &&
			     capture_fields(v, st->capture, &ctx->step.fields, r)))) {
		runner_error(ctx, st, argv, "out of memory, or an index past the limit");
		return false;
	}
	return true;
}

/* One step with an operation: its words expanded, run unless it cannot run here, judged. */
static bool run_step(struct run_ctx *ctx, const struct step *st, struct vars *v,
		     struct strbuf *value)
{
	char *argv[STEP_MAX_ARGS] = { 0 }, *want = NULL, *bug = NULL, why[256];
	const char *refusal;
	bool unknown = false, ok = true;
	int r = 0, k;

	for (k = 0; k < st->argc && !r; k++)
		r = expand(v, st->argv[k], &unknown, &argv[k]);
	if (!r && st->expect.value)
		r = expand(v, st->expect.value, &unknown, &want);
	if (!r && st->bug.value)
		r = expand(v, st->bug.value, &unknown, &bug);
	if (r) {
		snprintf(why, sizeof(why), r == -E2BIG ?
			 "a word expands past %d bytes (the limit of a value)" : "out of memory",
			 SCENARIO_VALUE_MAX);
		runner_error(ctx, st, NULL, why);
		ok = false;
	} else if ((st->kind == KIND_SERVER && ctx->step.control_fd < 0) || unknown) {
		/* A foreign server has no control socket. */
		if (st->capture && capture(v, st->capture, UNKNOWN)) {
			runner_error(ctx, st, argv, "out of memory");
			ok = false;
		}
	} else {
		strbuf_reset(value);
		r = confine_args(ctx, st, argv);
		if (!r)
			r = exec_step(ctx, st, argv, v, value);
		refusal = ops_refusal();
		/* With blocks running at once, "what the guest holds" is theirs too. */
		if (!refusal && st->kind == KIND_GUEST && ctx->step.control_fd >= 0 &&
		    !ctx->in_background && !nbg && settle(ctx))
			refusal = "the server did not close the files the guest closed within 5 s";
		if (ctx->step.verbose)
			trace_step(ctx, st, argv, r, value->buf);
		if (refusal) {
			runner_error(ctx, st, argv, refusal);
			ok = false;
		} else {
			ok = judge_step(ctx, st, argv, r, value->buf, want, bug, v);
		}
	}
	for (k = 0; k < st->argc; k++)
		free(argv[k]);
	free(want);
	free(bug);
	return ok;
}

/* Runs steps [from, to); a repeat's steps are always inside one range. */
static bool run_range(struct run_ctx *ctx, struct vars *vars, struct strbuf *valuep, int from,
		      int to)
{
	const struct scenario *s = ctx->step.s;
	struct strbuf value = *valuep;
	struct vars v = *vars;
	struct loops loops = { .depth = 0 };
	bool ok = true;

	for (int i = from; i < to && ok; i++) {
		const struct step *st = &s->steps[i];
		int k;

		if (*ctx->step.stop) {
			strbuf_addf(&ctx->report, "stopped before line %d\n", st->line);
			ok = false;
		} else if (st->background) {
			ok = start_background(ctx, &v, &value, i);
			i = st->repeat_end; /* the block runs in the child */
		} else if (st->join) {
			k = find_background(st->join);
			if (k < 0) {
				runner_error(ctx, st, NULL, "join of a block that was not started");
				ok = false;
			} else {
				ok = join_background(ctx, k, st);
			}
		} else if (!st->op) {
			ok = loop_step(ctx, &v, &loops, &i);
		} else {
			ok = run_step(ctx, st, &v, &value);
		}
	}
	*vars = v;
	*valuep = value;
	return ok;
}

enum outcome judge(const struct scenario *s, const struct target *t, const struct run_ctx *ctx,
		   bool held)
{
	bool buggy = scenario_fails_on(s, t);

	if (held)
		return buggy ? OUTCOME_NO_BUG : OUTCOME_PASS;
	if (!buggy || !ctx->witness_failed || ctx->runner_error)
		return OUTCOME_FAIL;
	return scenario_by_design(s, t) ? OUTCOME_DESIGN : OUTCOME_BUG;
}

const char *outcome_name(enum outcome o)
{
	static const char *const names[] = { "PASS", "FAIL", "bug reproduced",
					     "expected bug did not reproduce", "SKIP", "by design",
					     "HANG", "n/a" };
	return names[o];
}
