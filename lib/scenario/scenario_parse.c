/*
 * parse: scenario files, line by line. Everything that can be checked
 * before running is checked here (operations, argument counts and words,
 * errno names, fault specs, variables used before they are set), so a bad
 * file is reported as FILE:LINE: message and nothing runs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/errno_name.h"
#include "obs/fault.h"
#include "core/config.h"
#include "scenario/scenario.h"
#include "util/array.h"
#include "fuse/client/fuse_words.h"
#include "obs/inject_spec.h"

#define G KIND_GUEST
#define H KIND_HOST
#define S KIND_SERVER
const struct op scenario_ops[] = {
	{ "create", G | H, 1, 1, "create PATH", 1 },
	{ "write", G | H, 2, 2, "write PATH DATA", 1 },
	{ "read", G | H, 1, 1, "read PATH", 1 },
	{ "stat", G | H, 2, 2, "stat PATH ino|size|nlink|type|mode", 1 },
	{ "unlink", G | H, 1, 1, "unlink PATH", 1 },
	{ "mkdir", G | H, 1, 1, "mkdir PATH", 1 },
	{ "rmdir", G | H, 1, 1, "rmdir PATH", 1 },
	{ "rename", G | H, 2, 3, "rename OLD NEW [noreplace|exchange]", 3 },
	{ "link", G | H, 2, 2, "link OLD NEW", 3 },
	{ "symlink", G | H, 2, 2, "symlink TARGET PATH", 2 },
	{ "mknod", G | H, 2, 2, "mknod PATH fifo|sock|chr", 1 },
	{ "readdir", G | H, 1, 1, "readdir PATH", 1 },
	{ "walk", G | H, 1, 1, "walk PATH", 1 },
	{ "open", G | H, 2, 3, "open NAME PATH [ro|rw]", 2 },
	{ "hold", G | H, 2, 2, "hold NAME PATH", 2 },
	{ "readfd", G | H, 1, 1, "readfd NAME", 0 },
	{ "reopen", G | H, 1, 1, "reopen NAME", 0 },
	{ "fstat", G | H, 2, 2, "fstat NAME ino|size|nlink|type|mode", 0 },
	{ "open-writer", G | H, 1, 1, "open-writer FIFO", 1 },
	{ "close", G | H, 1, 1, "close NAME", 0 },
	{ "handle", G, 1, 1, "handle PATH", 1 },
	{ "nodeid", G, 1, 1, "nodeid PATH", 1 },
	{ "open-handle", G, 1, 1, "open-handle HANDLE", 0 },
	{ "drop-caches", G, 0, 0, "drop-caches", 0 },
	{ "lookup-threads", G, 2, STEP_MAX_ARGS, "lookup-threads THREADS PATH...", ~0u },
	{ "fault", S, 1, 4, "fault arm POINT ERRNO [SCHEDULE] | fault clear POINT|all", 0 },
	{ "check", S, 0, 0, "check", 0 },
	{ "live-inodes", S, 1, 1, "live-inodes PATH|ino=N", 1 },
	{ "inode", S, 2, 2, "inode PATH|ino=N nodeid|handle|fd|mount_ref|nlookup|state", 1 },
	{ "counter", S, 1, 1, "counter NAME", 0 },
	{ "wait-forgotten", S, 1, 1, "wait-forgotten PATH|ino=N", 1 },
	{ "dump", S, 0, 0, "dump", 0 },
	{ "fds", KIND_DAEMON, 0, 0, "fds", 0 },
	{ "rss", KIND_DAEMON, 0, 0, "rss", 0 },
	{ "status", KIND_DAEMON, 0, 0, "status", 0 },
	{ "released", KIND_DAEMON, 1, 2, "released PATH [MS]", 1 },
	/* Their words are fuse_words' (lib/fuse/client): argv[0] is the request. */
	{ "request", KIND_FUSE, 1, STEP_MAX_ARGS, "fuse REQUEST ARGS...", 0 },
	{ "request", KIND_RAW, 1, STEP_MAX_ARGS, "raw REQUEST ARGS...", 0 },
	{ "start", KIND_NOTIFY, 1, 3, "start BUFFERS [hold] [orphan=MS]", 0 },
	{ "watch", KIND_NOTIFY, 1, 2, "watch NODEID [create,delete,move,modify,attrib]", 0 },
	{ "unwatch", KIND_NOTIFY, 1, 1, "unwatch NODEID", 0 },
	{ "next", KIND_NOTIFY, 0, 1, "next [MS]", 0 },
	{ "drain", KIND_NOTIFY, 1, 2, "drain HALVES [MS]", 0 },
	{ "oracle", KIND_NOTIFY, 1, STEP_MAX_ARGS, "oracle start NODEID=PATH... | oracle inotify|fanotify", 0 },
	{ "set", KIND_SET, 2, 2, "set NAME VALUE", 0 },
	{ "arm", KIND_INJECT, 0, 0, "inject arm", 0 },
	{ "clear", KIND_INJECT, 0, 0, "inject clear", 0 },
	{ NULL, 0, 0, 0, NULL, 0 },
};
#undef G
#undef H
#undef S

static const char *const fixtures[] = { "tmpfs", "ext4-small", "submount-nodes", "hardlinks", NULL };
static const char *const cases[] = { "inode-id-reuse", "generation-mismatch",
				     "mount-fd-unavailable", "duplicate-inode", "split-rename", "other",
				     NULL };

static bool any_matches(const struct target *pats, int n, const struct target *t)
{
	for (int i = 0; i < n; i++)
		if (target_matches(t, &pats[i]))
			return true;
	return false;
}

bool scenario_fails_on(const struct scenario *s, const struct target *t)
{
	return any_matches(s->fails_on, s->nfails_on, t);
}

bool scenario_only(const struct scenario *s, const struct target *t)
{
	return !s->nonly || any_matches(s->only, s->nonly, t);
}

int indexed_name(const char *name, size_t namelen, const char *index, char *out, size_t len)
{
	int n = snprintf(out, len, "%.*s[%s]", (int)namelen, name, index);

	return n < 0 || (size_t)n >= len ? -E2BIG : 0;
}

bool fixture_known(const char *name)
{
	for (int i = 0; fixtures[i]; i++)
		if (!strcmp(name, fixtures[i]))
			return true;
	return false;
}

const struct op *op_find(const char *name, enum step_kind kind)
{
	for (const struct op *o = scenario_ops; o->name; o++)
		if (!strcmp(o->name, name) && (o->kinds & kind))
			return o;
	return NULL;
}

bool op_arg_is_path(const struct op *o, int i)
{
	return o->paths == ~0u ? i >= 1 : i < 32 && (o->paths & (1u << i));
}

struct parser {
	const char *path;
	FILE *err;
	int line;
	int errors;
	char **vars; /* names defined so far */
	unsigned kinds; /* every step kind seen */
	bool in_background;
	int nvars;
	size_t cap;
};

/* Word flags from split(). */
#define WORD_QUOTED 1u /* "..." */
#define WORD_NOT 2u    /* !"...": the quoted form negated */

static void complain(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->line)
		fprintf(p->err, "%s:%d: ", p->path, p->line);
	else
		fprintf(p->err, "%s: ", p->path);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	p->errors++;
}

/*
 * Splits @line into words; "..." quotes (with \" \\ \n) make one word,
 * # outside quotes starts a comment. @flags[i] says word i was quoted
 * (WORD_QUOTED), and was written !"..." (WORD_NOT: the '!' is not part of
 * the word).
 */
static int split(struct parser *p, char *line, char **w, unsigned *flags, int max)
{
	int n = 0;
	char *r = line, *o;

	for (;;) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == max) {
			complain(p, "too many words (at most %d)", max);
			return -1;
		}
		flags[n] = 0;
		if (r[0] == '!' && r[1] == '"') {
			flags[n] = WORD_NOT;
			r++;
		}
		if (*r == '"')
			flags[n] |= WORD_QUOTED;
		w[n] = o = r;
		if (flags[n] & WORD_QUOTED) {
			for (r++; *r && *r != '"'; r++) {
				if (*r == '\\' && r[1]) {
					r++;
					*o++ = *r == 'n' ? '\n' : *r;
				} else {
					*o++ = *r;
				}
			}
			if (*r != '"') {
				complain(p, "unterminated quoted string");
				return -1;
			}
			r++;
			if (*r && !isspace((unsigned char)*r)) {
				complain(p, "a quoted string must be followed by a blank");
				return -1;
			}
		} else {
			while (*r && !isspace((unsigned char)*r))
				*o++ = *r++;
		}
		/* o never passes r: each word is rewritten in place. */
		if (*r)
			r++;
		*o = '\0';
		n++;
	}
}

static bool var_defined(struct parser *p, const char *name, size_t len)
{
	for (int i = 0; i < p->nvars; i++)
		if (strlen(p->vars[i]) == len && !strncmp(p->vars[i], name, len))
			return true;
	return false;
}

static void define(struct parser *p, const char *name)
{
	char *copy;

	if (var_defined(p, name, strlen(name)))
		return;
	if (ARRAY_GROW(p->vars, (size_t)p->nvars + 1, p->cap)) {
		complain(p, "out of memory for variable '%s'", name);
		return;
	}
	copy = strdup(name);
	if (!copy) {
		complain(p, "out of memory for variable '%s'", name);
		return;
	}
	p->vars[p->nvars++] = copy;
}

static bool valid_var_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * Every $NAME, ${NAME}, $NAME[INDEX] and ${NAME[INDEX]} in @s must name a
 * variable set already (for an indexed one: any element of NAME); the
 * INDEX is checked the same way.
 */
static void check_vars(struct parser *p, const char *s)
{
	for (const char *d = strchr(s, '$'); d; d = strchr(d + 1, '$')) {
		const char *name = d + 1, *end, *close;
		bool braced = *name == '{';

		if (braced)
			name++;
		for (end = name; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		if (end == name) {
			complain(p, "'$' without a variable name in '%s'", s);
			return;
		}
		if (!var_defined(p, name, (size_t)(end - name)))
			complain(p, "variable '%.*s' is used before it is set", (int)(end - name), name);
		close = end;
		if (*end == '[') {
			close = strchr(end, ']');
			if (!close) {
				complain(p, "unterminated [ in '%s'", s);
				return;
			}
			close++;
		}
		if (braced && close[0] == ':' && close[1] == '-') {
			/* ${NAME:-WORD}: WORD's own variables are checked as the loop goes on */
			int depth = 0;

			for (close += 2; *close && (*close != '}' || depth); close++)
				depth += *close == '{' ? 1 : *close == '}' ? -1 : 0;
		}
		if (braced && *close != '}') {
			complain(p, "unterminated ${ in '%s'", s);
			return;
		}
	}
}

/* "NAME" or "NAME[INDEX]": a capture's target; the base name into @base. */
static bool valid_capture(const char *s, char *base, size_t len)
{
	size_t n = strcspn(s, "[");

	if (n >= len)
		return false;
	snprintf(base, len, "%.*s", (int)n, s);
	if (!valid_var_name(base))
		return false;
	return !s[n] || (s[strlen(s) - 1] == ']' && strlen(s) > n + 2);
}

static bool word_in(const char *w, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(w, *words))
			return true;
	return false;
}

static bool looks_like_errno(const char *w)
{
	if (w[0] != 'E' || !w[1])
		return false;
	for (const char *c = w + 1; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return false;
	return true;
}

static int parse_expect(struct parser *p, const char *w, unsigned flags, struct expect *e)
{
	bool quoted = flags & WORD_QUOTED;

	memset(e, 0, sizeof(*e));
	if (flags & WORD_NOT) {
		e->negate = true;
	} else if (!quoted && w[0] == '!') {
		e->negate = true;
		w++;
	}
	if (!quoted && !strcmp(w, "ok")) {
		e->type = EXPECT_OK;
	} else if (!quoted && !strcmp(w, "any")) {
		e->type = EXPECT_ANY;
	} else if (!quoted && (!strncmp(w, "<=", 2) || !strncmp(w, ">=", 2))) {
		e->type = w[0] == '<' ? EXPECT_AT_MOST : EXPECT_AT_LEAST;
		e->value = strdup(w + 2);
		if (!e->value || (!strchr(w + 2, '$') && !whole_number(w + 2, 0, LONG_MAX))) {
			complain(p, "'%s': a comparison wants a whole number (<=N or >=N)", w);
			free(e->value);
			e->value = NULL;
			return -1;
		}
		check_vars(p, w + 2);
	} else if (!quoted && looks_like_errno(w)) {
		e->type = EXPECT_ERRNO;
		if (errno_parse(w, &e->err)) {
			complain(p, "unknown errno name '%s'", w);
			return -1;
		}
	} else {
		e->type = EXPECT_VALUE;
		e->value = strdup(w);
		if (!e->value) {
			complain(p, "out of memory");
			return -1;
		}
		check_vars(p, w);
	}
	/* "!ok" is a failure, whatever errno; "!any" would be nothing at all. */
	if (e->negate && e->type == EXPECT_ANY) {
		complain(p, "'!%s' can never hold", w);
		free(e->value);
		e->value = NULL;
		return -1;
	}
	return 0;
}

bool whole_number(const char *w, long min, long max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)w[0]))
		return false;
	errno = 0;
	v = strtol(w, &end, 10);
	return !errno && !*end && v >= min && v <= max;
}

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

/* The step that opens background block @name, or -1. */
static int background_index(const struct scenario *s, const char *name)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].background && !strcmp(s->steps[i].background, name))
			return i;
	return -1;
}

static void step_release(struct step *st)
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

static int add_step(struct parser *p, struct scenario *s, struct step *st)
{
	if (ARRAY_GROW(s->steps, (size_t)s->nsteps + 1, s->steps_cap)) {
		complain(p, "out of memory");
		return -1;
	}
	s->steps[s->nsteps++] = *st;
	return 0;
}

/*
 * [witness [BUG]] [expect|assume RESULT] KIND OP ARGS... [=> NAME]
 */
static int parse_step(struct parser *p, struct scenario *s, char **w, unsigned *q, int n)
{
	struct step st = { .line = p->line };
	int i = 0;

	if (!strcmp(w[0], "witness")) {
		st.witness = true;
		i = 1;
		if (i < n && strcmp(w[i], "expect")) {
			if (parse_expect(p, w[i], q[i], &st.bug))
				goto bad;
			i++;
		}
		if (i >= n || strcmp(w[i], "expect")) {
			complain(p, "witness needs an expect step: witness [BUG] expect RESULT STEP");
			goto bad;
		}
	}
	if (!strcmp(w[i], "expect") || !strcmp(w[i], "assume")) {
		if (n - i < 3) {
			complain(p, "%s needs a result and a step", w[i]);
			goto bad;
		}
		st.assume = w[i][0] == 'a';
		if (st.assume && st.witness) {
			complain(p, "a premise (assume) cannot be a witness");
			goto bad;
		}
		if (parse_expect(p, w[i + 1], q[i + 1], &st.expect))
			goto bad;
		i += 2;
	}
	if (!strcmp(w[i], "guest"))
		st.kind = KIND_GUEST;
	else if (!strcmp(w[i], "host"))
		st.kind = KIND_HOST;
	else if (!strcmp(w[i], "server"))
		st.kind = KIND_SERVER;
	else if (!strcmp(w[i], "daemon"))
		st.kind = KIND_DAEMON;
	else if (!strcmp(w[i], "fuse"))
		st.kind = KIND_FUSE;
	else if (!strcmp(w[i], "raw"))
		st.kind = KIND_RAW;
	else if (!strcmp(w[i], "notify"))
		st.kind = KIND_NOTIFY;
	else if (!strcmp(w[i], "set") && !st.assume)
		st.kind = KIND_SET;
	else if (!strcmp(w[i], "inject") && !st.assume && !st.witness && !st.expect.value)
		st.kind = KIND_INJECT;
	else {
		complain(p, "unknown step '%s' (guest, host, server, daemon, fuse, raw, notify, set, "
			 "inject, repeat, end, expect, assume, witness)", w[i]);
		goto bad;
	}
	if (st.kind == KIND_INJECT && !s->ninject) {
		complain(p, "inject %s: no 'inject SYSCALL=ERRNO' line above declares a fault",
			 i + 1 < n ? w[i + 1] : "");
		goto bad;
	}
	if (st.kind & (KIND_FUSE | KIND_RAW)) {
		/* The request's name is the step's first argument. */
		const char *why;
		int m = n - i - 2;

		if (n - i >= 4 && !strcmp(w[n - 2], "=>"))
			m -= 2;
		if (i + 1 >= n) {
			complain(p, "%s: which request?", w[i]);
			goto bad;
		}
		if (!fuse_words_check(w[i + 1], st.kind == KIND_RAW, m, w + i + 2, &why)) {
			complain(p, "%s %s: %s%s", w[i], w[i + 1],
				 why == fuse_words_usage(w[i + 1], st.kind == KIND_RAW) ? "usage: " : "",
				 why);
			goto bad;
		}
	} else if (st.kind != KIND_SET) {
		i++;
	}
	if (i >= n) {
		complain(p, "%s: which operation?", w[i - 1]);
		goto bad;
	}
	st.op = op_find(st.kind & (KIND_FUSE | KIND_RAW) ? "request" : w[i], st.kind);
	if (!st.op) {
		if (op_find(w[i], KIND_GUEST | KIND_HOST | KIND_SERVER | KIND_DAEMON | KIND_NOTIFY))
			complain(p, "'%s' is not a %s step", w[i], w[i - 1]);
		else
			complain(p, "unknown operation '%s'", w[i]);
		goto bad;
	}
	i++;
	if (n - i >= 2 && !strcmp(w[n - 2], "=>")) {
		char base[64];

		if (!valid_capture(w[n - 1], base, sizeof(base))) {
			complain(p, "'%s' is not a variable name (letters, digits, _; or NAME[INDEX])",
				 w[n - 1]);
			goto bad;
		}
		check_vars(p, w[n - 1]); /* the index's own variables */
		st.capture = strdup(w[n - 1]);
		define(p, base);
		n -= 2;
	}
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
	p->kinds |= st.kind;
	if (st.kind & (KIND_FUSE | KIND_RAW | KIND_NOTIFY) && p->in_background)
		complain(p, "fuse and raw steps run on the runner's one connection, not in a "
			 "background block");
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

static int parse_header(struct parser *p, struct scenario *s, char **w, int n, char *raw)
{
	if (s->nsteps) {
		complain(p, "'%s' must come before the first step", w[0]);
		return -1;
	}
	if (!strcmp(w[0], "title")) {
		char *t = raw + strspn(raw, " \t") + 5;

		t += strspn(t, " \t");
		t[strcspn(t, "\n")] = '\0';
		if (!*t)
			complain(p, "title is empty");
		s->title = strdup(t);
	} else if (!strcmp(w[0], "case")) {
		if (n != 2 || !word_in(w[1], cases))
			complain(p, "case must be one of inode-id-reuse, generation-mismatch, "
				 "mount-fd-unavailable, duplicate-inode, split-rename, other");
		else
			s->case_name = strdup(w[1]);
	} else if (!strcmp(w[0], "fixture")) {
		if (n != 2 || !fixture_known(w[1]))
			complain(p, "unknown fixture '%s' (tmpfs, ext4-small, submount-nodes, hardlinks)",
				 n > 1 ? w[1] : "");
		else
			s->fixture = strdup(w[1]);
	} else if (!strcmp(w[0], "requires")) {
		for (int k = 1; k < n; k++) {
			if (!strcmp(w[k], "root"))
				s->requires |= REQUIRES_ROOT;
			else if (!strcmp(w[k], "loop"))
				s->requires |= REQUIRES_LOOP;
			else if (!strcmp(w[k], "vhost-user"))
				s->requires |= REQUIRES_VHOST_USER;
			else
				complain(p, "unknown requirement '%s' (root, loop or vhost-user)", w[k]);
		}
	} else if (!strcmp(w[0], "fails-on") || !strcmp(w[0], "only")) {
		for (int k = 1; k < n; k++) {
			bool fails = w[0][0] == 'f';
			int *count = fails ? &s->nfails_on : &s->nonly;
			struct target *pats = fails ? s->fails_on : s->only;
			char why[600];

			if (*count == SCENARIO_MAX_TARGETS)
				complain(p, "%s: at most %d targets", w[0], SCENARIO_MAX_TARGETS);
			else if (target_pattern_parse(w[k], &pats[*count], why, sizeof(why)))
				complain(p, "%s", why);
			else
				(*count)++;
		}
		if (n == 1)
			complain(p, "%s needs at least one target", w[0]);
	} else if (!strcmp(w[0], "inject")) {
		struct spec spec;
		char why[160] = "";

		if (n != 2) {
			complain(p, "usage: inject SYSCALL=ERRNO[:CLAUSE]... (one spec a line)");
		} else if (spec_parse(w[1], &spec, why, sizeof(why))) {
			complain(p, "inject: bad spec '%s': %s", w[1], why);
		} else if (spec_free(&spec), s->ninject == SCENARIO_MAX_INJECT) {
			complain(p, "inject: at most %d lines", SCENARIO_MAX_INJECT);
		} else {
			s->inject[s->ninject++] = strdup(w[1]);
		}
	} else if (!strcmp(w[0], "init")) {
		if (n != 2 || !(s->init = fuse_init_profile_find(w[1])))
			complain(p, "usage: init linux-6.1|linux-6.12|minimal: what INIT offers");
	} else if (!strcmp(w[0], "limit")) {
		if (n != 2 || strncmp(w[1], "nofile=", 7) || !whole_number(w[1] + 7, 16, 1048576))
			complain(p, "usage: limit nofile=N (16 to 1048576): the server's open file limit");
		else
			s->nofile = atol(w[1] + 7);
	} else {
		/* "vfs-serve": its options */
		for (int k = 1; k < n; k++) {
			if (s->nserver_args == SCENARIO_MAX_SERVER_ARGS) {
				complain(p, "too many vfs-serve options");
				break;
			}
			if (!strncmp(w[k], "--design", 8) || !strncmp(w[k], "--control", 9) ||
			    !strncmp(w[k], "--log", 5)) {
				complain(p, "vfs-serve: %s is set by the runner", w[k]);
				continue;
			}
			s->server_args[s->nserver_args++] = strdup(w[k]);
		}
	}
	return 0;
}

static bool is_header(const char *w)
{
	static const char *const h[] = { "title", "case", "fixture", "requires", "fails-on",
					  "only", "vfs-serve", "inject", "limit", "init", NULL };
	return word_in(w, h);
}

struct scenario *scenario_parse(const char *path, FILE *err)
{
	struct parser p = { .path = path, .err = err };
	struct scenario *s = calloc(1, sizeof(*s));
	FILE *f = fopen(path, "re");
	char *line = NULL, *raw = NULL, *w[STEP_MAX_ARGS + 8];
	unsigned q[STEP_MAX_ARGS + 8];
	size_t cap = 0;
	ssize_t len;
	int open_repeat[SCENARIO_MAX_DEPTH], depth = 0;

	if (!f) {
		fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
		free(s);
		return NULL;
	}
	s->path = strdup(path);
	while ((len = getline(&line, &cap, f)) > 0) {
		int n;

		p.line++;
		if (memchr(line, '\0', (size_t)len)) {
			complain(&p, "a NUL byte at column %d: scenario files are text",
				 (int)strlen(line) + 1);
			continue;
		}
		free(raw);
		raw = strdup(line);
		n = split(&p, line, w, q, STEP_MAX_ARGS + 8);
		if (n <= 0)
			continue;
		/* "inject SPEC" declares a fault; "inject arm" and "inject clear" are steps. */
		if (is_header(w[0]) && !(!strcmp(w[0], "inject") && n == 2 &&
					 (!strcmp(w[1], "arm") || !strcmp(w[1], "clear")))) {
			parse_header(&p, s, w, n, raw);
		} else if (!strcmp(w[0], "repeat")) {
			struct step st = { .line = p.line, .repeat_end = -1 };
			const char *var = n == 3 ? w[2] : "i";

			if ((n != 2 && n != 3) || !whole_number(w[1], 1, 10000)) {
				complain(&p, "repeat needs a whole number from 1 to 10000 "
					 "(and a counter's name: repeat N [NAME])");
			} else if (!valid_var_name(var)) {
				complain(&p, "repeat: '%s' is not a variable name", var);
			} else if (depth == SCENARIO_MAX_DEPTH) {
				complain(&p, "repeat blocks nest %d deep at most", SCENARIO_MAX_DEPTH);
			} else {
				for (int k = 0; k < depth; k++)
					if (s->steps[open_repeat[k]].repeat_var &&
					    !strcmp(s->steps[open_repeat[k]].repeat_var, var))
						complain(&p, "repeat: '%s' already counts an enclosing "
							 "repeat", var);
				st.repeat_count = atoi(w[1]);
				st.repeat_var = strdup(var);
				open_repeat[depth] = s->nsteps;
				if (st.repeat_var && add_step(&p, s, &st) == 0) {
					define(&p, var);
					depth++;
				} else {
					free(st.repeat_var);
				}
			}
		} else if (!strcmp(w[0], "background")) {
			struct step st = { .line = p.line, .repeat_end = -1 };

			if (n != 2 || !valid_var_name(w[1])) {
				complain(&p, "usage: background NAME ... end, then join NAME");
			} else if (depth) {
				complain(&p, "background blocks stand at the top level "
					 "(not inside repeat or background)");
			} else if (background_index(s, w[1]) >= 0) {
				complain(&p, "background '%s' is defined twice", w[1]);
			} else if ((st.background = strdup(w[1]))) {
				open_repeat[depth] = s->nsteps;
				if (add_step(&p, s, &st) == 0) {
					depth++;
					p.in_background = true;
				}
				else
					free(st.background);
			}
		} else if (!strcmp(w[0], "join")) {
			struct step st = { .line = p.line, .repeat_end = -1 };
			int b = n == 2 ? background_index(s, w[1]) : -1;

			if (n != 2)
				complain(&p, "usage: join NAME");
			else if (b < 0)
				complain(&p, "join: no background block '%s' before this line", w[1]);
			else if (depth)
				complain(&p, "join stands at the top level");
			else if ((st.join = strdup(w[1])) && add_step(&p, s, &st))
				free(st.join);
		} else if (!strcmp(w[0], "end")) {
			if (n != 1 || !depth) {
				complain(&p, "'end' without 'repeat' or 'background'");
			} else {
				struct step st = { .line = p.line, .repeat_end = open_repeat[depth - 1] };
				int at = s->nsteps;

				if (add_step(&p, s, &st) == 0)
					s->steps[open_repeat[depth - 1]].repeat_end = at;
				if (s->steps[open_repeat[depth - 1]].background)
					p.in_background = false;
				depth--;
			}
		} else {
			parse_step(&p, s, w, q, n);
		}
	}
	free(line);
	free(raw);
	fclose(f);
	p.line++;
	if (depth) {
		p.line = s->steps[open_repeat[depth - 1]].line;
		complain(&p, "%s without 'end'", s->steps[open_repeat[depth - 1]].background ?
			 "background" : "repeat");
	}
	p.line = 0;
	if (!s->title)
		complain(&p, "no title line");
	if (!s->case_name)
		complain(&p, "no case line");
	if (!s->fixture)
		complain(&p, "no fixture line");
	if (!s->nsteps)
		complain(&p, "no steps");
	if ((p.kinds & KIND_GUEST) && (p.kinds & (KIND_FUSE | KIND_RAW | KIND_NOTIFY)))
		complain(&p, "guest steps go through a mount, fuse and raw steps through the "
			 "protocol: a scenario has one or the other");
	if (s->nfails_on && !s->nwitnesses)
		complain(&p, "fails-on needs a witness: mark the step whose failure is the bug "
			 "with 'witness expect ...'");
	for (int i = 0; i < p.nvars; i++)
		free(p.vars[i]);
	free(p.vars);
	if (p.errors) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nsteps; i++)
		step_release(&s->steps[i]);
	for (int k = 0; k < s->nserver_args; k++)
		free(s->server_args[k]);
	for (int k = 0; k < s->ninject; k++)
		free(s->inject[k]);
	free(s->steps);
	free(s->path);
	free(s->name);
	free(s->title);
	free(s->case_name);
	free(s->fixture);
	free(s);
}
