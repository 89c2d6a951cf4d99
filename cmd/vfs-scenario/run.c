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
#include <unistd.h>

#include "errno_name.h"
#include "ops.h"
#include "run.h"

#define MAX_VARS 256
#define UNKNOWN "\x01unknown" /* a value a skipped server step would have made */

struct vars {
	char *name[MAX_VARS];
	char *value[MAX_VARS];
	int n;
};

static void var_set(struct vars *v, const char *name, const char *value)
{
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name)) {
			free(v->value[i]);
			v->value[i] = strdup(value);
			return;
		}
	if (v->n < MAX_VARS) {
		v->name[v->n] = strdup(name);
		v->value[v->n++] = strdup(value);
	}
}

static const char *var_get(struct vars *v, const char *name, size_t len)
{
	for (int i = 0; i < v->n; i++)
		if (strlen(v->name[i]) == len && !strncmp(v->name[i], name, len))
			return v->value[i];
	return "";
}

static void vars_free(struct vars *v)
{
	for (int i = 0; i < v->n; i++) {
		free(v->name[i]);
		free(v->value[i]);
	}
	v->n = 0;
}

/* @s with $NAME and ${NAME} replaced; *unknown if one was UNKNOWN. */
static char *expand(struct vars *v, const char *s, bool *unknown)
{
	struct strbuf out = STRBUF_INIT;

	strbuf_addf(&out, "%s", "");
	for (const char *p = s; *p; p++) {
		const char *name, *end, *val;

		if (*p != '$') {
			strbuf_addf(&out, "%c", *p);
			continue;
		}
		name = p + 1;
		if (*name == '{') {
			end = strchr(++name, '}');
			p = end;
		} else {
			for (end = name; (*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z') ||
			     (*end >= '0' && *end <= '9') || *end == '_'; end++)
				;
			p = end - 1;
		}
		val = var_get(v, name, (size_t)(end - name));
		if (!strcmp(val, UNKNOWN))
			*unknown = true;
		strbuf_addf(&out, "%s", val);
	}
	return out.buf;
}

static const char *kind_name(enum step_kind k)
{
	return k == KIND_GUEST ? "guest" : k == KIND_HOST ? "host" : k == KIND_SERVER ? "server" : "set";
}

static void describe(struct strbuf *sb, const struct step *st, char **argv)
{
	strbuf_addf(sb, "%s %s", kind_name(st->kind), st->op->name);
	for (int i = 0; i < st->argc; i++)
		strbuf_addf(sb, strchr(argv[i], ' ') || !*argv[i] ? " \"%s\"" : " %s", argv[i]);
}

static void describe_result(struct strbuf *sb, int r, const char *value)
{
	if (r)
		strbuf_addf(sb, "%s", errno_name(-r) ? errno_name(-r) : "unknown errno");
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
	else
		strbuf_addf(sb, "success");
}

static int exec_step(struct run_ctx *ctx, const struct step *st, char **argv,
		     struct vars *v, struct strbuf *value)
{
	const char *op = st->op->name;

	switch (st->kind) {
	case KIND_GUEST:
		if (op_find(op, KIND_HOST))
			return op_file(ctx->guest_root, true, op, st->argc, argv, value);
		return op_guest(ctx, op, st->argc, argv, value);
	case KIND_HOST:
		return op_file(ctx->host_root, false, op, st->argc, argv, value);
	case KIND_SERVER:
		return op_server(ctx, op, st->argc, argv, value);
	default:
		var_set(v, argv[0], argv[1]);
		strbuf_addf(value, "%s", argv[1]);
		return 0;
	}
}

/*
 * The kernel sends RELEASE after close() has returned: before the next
 * step, wait until the server has closed what the guest closed, so a host
 * step after "guest read" finds the file as unused as a scenario says.
 */
static void settle(struct run_ctx *ctx)
{
	struct strbuf v = STRBUF_INIT;
	char *argv[] = { "files_open" };
	int want = ops_guest_open_files();

	for (int tries = 0; tries < 500 && !*ctx->stop; tries++) {
		strbuf_reset(&v);
		if (op_server(ctx, "counter", 1, argv, &v) || atoi(v.buf) <= want)
			break;
		usleep(10000);
	}
	strbuf_release(&v);
}

bool run_scenario(struct run_ctx *ctx)
{
	const struct scenario *s = ctx->s;
	struct strbuf value = STRBUF_INIT;
	struct vars v = { 0 };
	bool ok = true;
	int loop_start = -1, loop_left = 0, iter = 0;

	ctx->report = (struct strbuf)STRBUF_INIT;
	ctx->premise_failed = false;
	for (int i = 0; i < s->nsteps && ok; i++) {
		const struct step *st = &s->steps[i];
		char *argv[STEP_MAX_ARGS], *want = NULL, num[16];
		bool unknown = false;
		int r;

		if (*ctx->stop) {
			strbuf_addf(&ctx->report, "stopped before line %d\n", st->line);
			ok = false;
			break;
		}
		if (!st->op) {
			if (st->repeat_end > i) { /* repeat */
				loop_start = i;
				loop_left = st->repeat_count;
				iter = 0;
			} else if (--loop_left > 0) { /* end, go round again */
				i = loop_start;
				iter++;
			}
			snprintf(num, sizeof(num), "%d", iter);
			var_set(&v, "i", num);
			continue;
		}
		for (int k = 0; k < st->argc; k++)
			argv[k] = expand(&v, st->argv[k], &unknown);
		if (st->expect.value)
			want = expand(&v, st->expect.value, &unknown);
		if ((st->kind == KIND_SERVER && ctx->control_fd < 0) || unknown) {
			/* A foreign server has no control socket. */
			if (st->capture)
				var_set(&v, st->capture, UNKNOWN);
		} else {
			strbuf_reset(&value);
			strbuf_addf(&value, "%s", "");
			r = exec_step(ctx, st, argv, &v, &value);
			if (st->kind == KIND_GUEST && ctx->control_fd >= 0)
				settle(ctx);
			if (ctx->verbose) {
				struct strbuf d = STRBUF_INIT;

				describe(&d, st, argv);
				fprintf(stderr, "  %s:%d: %s -> ", s->path, st->line, d.buf);
				strbuf_release(&d);
				if (r)
					fprintf(stderr, "%s\n", errno_name(-r) ? errno_name(-r) : "?");
				else
					fprintf(stderr, "\"%.*s\"\n", (int)strcspn(value.buf, "\n"), value.buf);
			}
			if (!holds(&st->expect, r, value.buf, want) && st->assume) {
				/* One line: it becomes the reason the run does not count. */
				ctx->premise_failed = true;
				strbuf_addf(&ctx->report, "line %d, ", st->line);
				describe(&ctx->report, st, argv);
				strbuf_addf(&ctx->report, ": expected ");
				describe_expect(&ctx->report, &st->expect, want);
				strbuf_addf(&ctx->report, ", got ");
				describe_result(&ctx->report, r, value.buf);
				ok = false;
			} else if (!holds(&st->expect, r, value.buf, want)) {
				strbuf_addf(&ctx->report, "%s:%d: ", s->path, st->line);
				describe(&ctx->report, st, argv);
				strbuf_addf(&ctx->report, "\n  expected: ");
				describe_expect(&ctx->report, &st->expect, want);
				strbuf_addf(&ctx->report, "\n  got:      ");
				describe_result(&ctx->report, r, value.buf);
				strbuf_addf(&ctx->report, "\n");
				ok = false;
			} else if (st->capture && !r) {
				var_set(&v, st->capture, value.buf);
			} else if (st->capture) {
				var_set(&v, st->capture, "");
			}
		}
		for (int k = 0; k < st->argc; k++)
			free(argv[k]);
		free(want);
	}
	ops_close_all();
	vars_free(&v);
	strbuf_release(&value);
	return ok;
}

enum outcome judge(const struct scenario *s, int design, bool held)
{
	bool buggy = s->fails_on & (1u << design);

	if (held)
		return buggy ? OUTCOME_NO_BUG : OUTCOME_PASS;
	return buggy ? OUTCOME_BUG : OUTCOME_FAIL;
}

const char *outcome_name(enum outcome o)
{
	static const char *const names[] = { "PASS", "FAIL", "bug reproduced",
					     "expected bug did not reproduce", "SKIP" };
	return names[o];
}
