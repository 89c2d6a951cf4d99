/*
 * parse_step: one step line into a struct step, every word checked that
 * can be checked before running (operations, argument counts, fields,
 * paths, fault points and schedules, fuse_words' requests, variables).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "fuse/client/fuse_words.h"
#include "obs/fault.h"
#include "scenario/parser.h"
#include "util/array.h"
#include "util/errno_name.h"

/* Word checks that need no running server. */
static void check_args(struct parser *p, const struct step *st)
{
	static const char *const stat_fields[] = { "ino", "size", "nlink", "type", "mode", NULL };
	static const char *const inode_fields[] = { "nodeid", "handle", "fd", "mount_ref",
						    "nlookup", "state", NULL };
	static const char *const rename_flags[] = { "noreplace", "exchange", NULL };
	static const char *const node_types[] = { "fifo", "sock", "chr", NULL };
	static const char *const open_modes[] = { "ro", "rw", NULL };
	const char *name = st->op->name;
	char *const *a = st->argv;

	for (int i = 0; i < st->argc; i++) {
		const char *why;

		check_vars(p, a[i]);
		if (!strchr(a[i], '$') && op_arg_is_path(st->op, i) && (why = path_escapes(a[i])))
			complain(p, "%s: path '%s' %s: steps work below the %s only", name, a[i], why,
				 st->kind == KIND_GUEST ? "mount" : "source");
	}
	/* Server and daemon steps take a removed file as ino=N. */
	if ((st->kind == KIND_SERVER || st->kind == KIND_DAEMON) && st->argc &&
	    !strncmp(a[0], "ino=", 4) && !strchr(a[0], '$') &&
	    (a[0][4] < '1' || a[0][4] > '9' || a[0][4 + strspn(a[0] + 4, "0123456789")]))
		complain(p, "%s: '%s' is not an inode number (ino=N, N from 1)", name, a[0]);
	if ((!strcmp(name, "stat") || !strcmp(name, "fstat")) && !word_in(a[1], stat_fields))
		complain(p, "%s: unknown field '%s' (ino, size, nlink, type or mode)", name, a[1]);
	else if (!strcmp(name, "inode") && !word_in(a[1], inode_fields))
		complain(p, "inode: unknown field '%s' (nodeid, handle, fd, mount_ref, nlookup or state)", a[1]);
	else if (!strcmp(name, "rename") && st->argc == 3 && !word_in(a[2], rename_flags))
		complain(p, "rename: unknown flag '%s' (noreplace or exchange)", a[2]);
	else if (!strcmp(name, "mknod") && !word_in(a[1], node_types))
		complain(p, "mknod: unknown type '%s' (fifo, sock or chr)", a[1]);
	else if (!strcmp(name, "open") && st->argc == 3 && !word_in(a[2], open_modes))
		complain(p, "open: unknown mode '%s' (ro or rw)", a[2]);
	else if (!strcmp(name, "lookup-threads") && !strchr(a[0], '$') && !whole_number(a[0], 1, 64))
		complain(p, "lookup-threads: THREADS must be a whole number from 1 to 64, not '%s'", a[0]);
	else if (!strcmp(name, "set") && !valid_var_name(a[0]))
		complain(p, "set: '%s' is not a variable name (letters, digits, _)", a[0]);
	else if (!strcmp(name, "fault")) {
		struct fault_schedule sched;
		enum fault_point pt;
		const char *why;
		int e;

		if (!strcmp(a[0], "arm") && (st->argc == 3 || st->argc == 4)) {
			if (fault_point_parse(a[1], &pt))
				complain(p, "fault: unknown fault point '%s'", a[1]);
			else if (!strchr(a[2], '$') && errno_parse(a[2], &e))
				complain(p, "fault: unknown errno name '%s'", a[2]);
			else if (st->argc == 4 && !strchr(a[3], '$') &&
				 fault_schedule_parse(a[3], &sched, &why))
				complain(p, "fault: bad schedule '%s': %s", a[3], why);
		} else if (!strcmp(a[0], "clear") && st->argc == 2) {
			if (strcmp(a[1], "all") && fault_point_parse(a[1], &pt))
				complain(p, "fault: unknown fault point '%s'", a[1]);
		} else {
			complain(p, "usage: %s", st->op->usage);
		}
	}
}

/* Whether a daemon step ends the daemon or starts another one. */
static bool replaces_daemon(const char *op)
{
	return !strcmp(op, "restart") || !strcmp(op, "save") || !strcmp(op, "load") ||
	       !strcmp(op, "migrate");
}

/* The step that opens background block @name, or -1. */
int background_index(const struct scenario *s, const char *name)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].background && !strcmp(s->steps[i].background, name))
			return i;
	return -1;
}

void step_release(struct step *st)
{
	for (int k = 0; k < st->argc; k++)
		free(st->argv[k]);
	free(st->capture);
	free(st->expect.value);
	free(st->bug.value);
	free(st->repeat_var);
	free(st->background);
	free(st->join);
	memset(st, 0, sizeof(*st));
}

int add_step(struct parser *p, struct scenario *s, struct step *st)
{
	if (ARRAY_GROW(s->steps, (size_t)s->nsteps + 1, s->steps_cap)) {
		complain(p, "out of memory");
		return -1;
	}
	s->steps[s->nsteps++] = *st;
	return 0;
}

/* "witness [BUG]" and "expect|assume|applies RESULT" before the kind: the index after them, or -1. */
static int parse_prefix(struct parser *p, struct step *st, char **w, unsigned *q, int n)
{
	int i = 0;

	if (!strcmp(w[0], "witness")) {
		st->witness = true;
		i = 1;
		if (i < n && strcmp(w[i], "expect")) {
			if (parse_expect(p, w[i], q[i], &st->bug))
				return -1;
			i++;
		}
		if (i >= n || strcmp(w[i], "expect")) {
			complain(p, "witness needs an expect step: witness [BUG] expect RESULT STEP");
			return -1;
		}
	}
	if (!strcmp(w[i], "expect") || !strcmp(w[i], "assume") || !strcmp(w[i], "applies")) {
		if (n - i < 3) {
			complain(p, "%s needs a result and a step", w[i]);
			return -1;
		}
		st->assume = w[i][0] == 'a';
		st->applies = !strcmp(w[i], "applies");
		if (st->assume && st->witness) {
			complain(p, "a premise (%s) cannot be a witness", w[i]);
			return -1;
		}
		if (parse_expect(p, w[i + 1], q[i + 1], &st->expect))
			return -1;
		i += 2;
	}
	return i;
}

/* The step's KIND word into st->kind; -1 after complaining. */
static int step_kind(struct parser *p, const struct scenario *s, struct step *st, const char *w,
		     const char *next)
{
	static const struct { const char *word; enum step_kind kind; } kinds[] = {
		{ "guest", KIND_GUEST }, { "host", KIND_HOST }, { "server", KIND_SERVER },
		{ "daemon", KIND_DAEMON }, { "fuse", KIND_FUSE }, { "raw", KIND_RAW },
		{ "notify", KIND_NOTIFY }, { "canary", KIND_CANARY }, { "oracle", KIND_ORACLE },
	};

	st->kind = 0;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(w, kinds[k].word))
			st->kind = kinds[k].kind;
	if (!strcmp(w, "set"))
		st->kind = KIND_SET; /* "assume VALUE set NAME WORD": a premise on a value seen earlier */
	else if (!strcmp(w, "inject") && !st->assume && !st->witness && !st->expect.value)
		st->kind = KIND_INJECT;
	if (!st->kind) {
		complain(p, "unknown step '%s' (guest, host, server, daemon, fuse, raw, notify, set, "
			 "inject, canary, oracle, repeat, end, expect, assume, applies, witness)", w);
		return -1;
	}
	if (st->kind == KIND_INJECT && !s->ninject) {
		complain(p, "inject %s: no 'inject SYSCALL=ERRNO' line above declares a fault",
			 next ? next : "");
		return -1;
	}
	return 0;
}

/* fuse and raw: the request's name and words, checked by fuse_words; -1 after complaining. */
static int check_request(struct parser *p, const struct step *st, char **w, int i, int n)
{
	bool raw = st->kind == KIND_RAW;
	const char *why;
	int m = n - i - 2;

	if (n - i >= 4 && !strcmp(w[n - 2], "=>"))
		m -= 2;
	if (i + 1 >= n) {
		complain(p, "%s: which request?", w[i]);
		return -1;
	}
	if (!fuse_words_check(w[i + 1], raw, m, w + i + 2, &why)) {
		complain(p, "%s %s: %s%s", w[i], w[i + 1],
			 why == fuse_words_usage(w[i + 1], raw) ? "usage: " : "", why);
		return -1;
	}
	return 0;
}

/* "=> NAME" at the end: st->capture, NAME defined; the words left in *@n. -1 after complaining. */
static int parse_capture(struct parser *p, struct step *st, char **w, int i, int *n)
{
	char base[64];

	if (*n - i < 2 || strcmp(w[*n - 2], "=>"))
		return 0;
	if (!valid_capture(w[*n - 1], base, sizeof(base))) {
		complain(p, "'%s' is not a variable name (letters, digits, _; or NAME[INDEX])",
			 w[*n - 1]);
		return -1;
	}
	check_vars(p, w[*n - 1]); /* the index's own variables */
	st->capture = strdup(w[*n - 1]);
	define(p, base);
	*n -= 2;
	return 0;
}

/*
 * [witness [BUG]] [expect|assume RESULT] KIND OP ARGS... [=> NAME]
 */
int parse_step(struct parser *p, struct scenario *s, char **w, unsigned *q, int n)
{
	struct step st = { .line = p->line };
	bool request;
	int i = parse_prefix(p, &st, w, q, n);

	if (i < 0 || step_kind(p, s, &st, w[i], i + 1 < n ? w[i + 1] : NULL))
		goto bad;
	request = st.kind & (KIND_FUSE | KIND_RAW);
	if (request && check_request(p, &st, w, i, n))
		goto bad;
	if (!request && st.kind != KIND_SET)
		i++;
	if (i >= n) {
		complain(p, "%s: which operation?", w[i - 1]);
		goto bad;
	}
	st.op = op_find(request ? "request" : w[i], st.kind);
	if (!st.op) {
		if (op_find(w[i], KIND_GUEST | KIND_HOST | KIND_SERVER | KIND_DAEMON | KIND_NOTIFY))
			complain(p, "'%s' is not a %s step", w[i], w[i - 1]);
		else
			complain(p, "unknown operation '%s'", w[i]);
		goto bad;
	}
	i++;
	if (parse_capture(p, &st, w, i, &n))
		goto bad;
	if (n - i < st.op->min_args || n - i > st.op->max_args) {
		complain(p, "%s takes %d to %d arguments, got %d (usage: %s)", st.op->name,
			 st.op->min_args, st.op->max_args, n - i, st.op->usage);
		goto bad;
	}
	for (int k = 0; k < n - i; k++) {
		st.argv[k] = strdup(w[i + k]);
		if (!st.argv[k]) {
			complain(p, "out of memory");
			goto bad;
		}
		st.argc = k + 1;
	}
	check_args(p, &st);
	if (st.kind & (KIND_FUSE | KIND_RAW | KIND_NOTIFY))
		s->protocol = true;
	s->canary |= st.kind == KIND_CANARY;
	s->oracle |= st.kind == KIND_ORACLE;
	p->kinds |= st.kind;
	if (st.kind & (KIND_FUSE | KIND_RAW | KIND_NOTIFY) && p->in_background)
		complain(p, "fuse and raw steps run on the runner's one connection, not in a "
			 "background block");
	/* A block is a process of its own: a daemon it started would die with it. */
	if (st.kind == KIND_DAEMON && p->in_background && replaces_daemon(st.op->name))
		complain(p, "daemon %s changes the runner's daemon, not in a background block",
			 st.op->name);
	if (st.kind == KIND_SET)
		define(p, st.argv[0]);
	if (add_step(p, s, &st))
		goto bad;
	s->nwitnesses += st.witness;
	return 0;
bad:
	step_release(&st);
	return -1;
}

