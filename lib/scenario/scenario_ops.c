/*
 * scenario_ops: the language's tables: every operation a step can name,
 * with the kinds that may use it and its arguments; the fixtures; the
 * target patterns of fails-on and only.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

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
	{ "xattr", G | H, 2, 2, "xattr PATH NAME", 1 },
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
	{ "kernel", G, 0, 0, "kernel", 0 },
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
	{ "released", KIND_DAEMON, 1, 2, "released PATH|ino=N [MS]", 1 },
	{ "closed", KIND_DAEMON, 1, 2, "closed PATH|ino=N [MS]", 1 },
	{ "pid", KIND_DAEMON, 0, 0, "pid", 0 },
	{ "save", KIND_DAEMON, 0, 0, "save", 0 },
	{ "load", KIND_DAEMON, 0, 0, "load", 0 },
	{ "migrate", KIND_DAEMON, 0, 0, "migrate", 0 },
	{ "restart", KIND_DAEMON, 0, 0, "restart", 0 },
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
	{ "check", KIND_CANARY, 0, 0, "canary check", 0 },
	/* The verdicts of lib/fuzz/fuzz_oracle on the fuse steps so far: "none" or the site. */
	{ "alive", KIND_ORACLE, 0, 0, "oracle alive", 0 },
	{ "protocol", KIND_ORACLE, 0, 0, "oracle protocol", 0 },
	{ "identity", KIND_ORACLE, 0, 0, "oracle identity", 0 },
	{ "duplicate", KIND_ORACLE, 0, 0, "oracle duplicate", 0 },
	{ "differs", KIND_ORACLE, 0, 0, "oracle differs", 0 },
	{ "clear", KIND_INJECT, 0, 0, "inject clear", 0 },
	{ NULL, 0, 0, 0, NULL, 0 },
};
#undef G
#undef H
#undef S

static const char *const fixtures[] = { "tmpfs", "ext4-small", "submount-nodes", "hardlinks", NULL };
const char *const scenario_cases[] = { "inode-id-reuse", "generation-mismatch",
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
	return any_matches(s->fails_on, s->nfails_on, t) || scenario_by_design(s, t);
}

const char *scenario_by_design(const struct scenario *s, const struct target *t)
{
	for (int i = 0; i < s->nby_design; i++)
		if (target_matches(t, &s->by_design[i]))
			return s->by_design_why[i];
	return NULL;
}

bool scenario_only(const struct scenario *s, const struct target *t)
{
	return !s->nonly || any_matches(s->only, s->nonly, t);
}

bool scenario_changes_host(const struct scenario *s)
{
	static const char *const changes[] = { "create", "write", "unlink", "mkdir", "rmdir",
					       "rename", "link", "symlink", "mknod", NULL };

	for (int i = 0; i < s->nsteps; i++)
		for (int k = 0; s->steps[i].kind == KIND_HOST && changes[k]; k++)
			if (!strcmp(s->steps[i].op->name, changes[k]))
				return true;
	return false;
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

/* Whether @o resolves the last component of its paths (a symlink is followed). */
bool op_follows(const struct op *o)
{
	static const char *const following[] = { "write", "read", "open", "hold", "open-writer",
						 "readdir", "handle", "nodeid", "lookup-threads",
						 NULL };

	for (int k = 0; following[k]; k++)
		if (!strcmp(o->name, following[k]))
			return true;
	return false;
}
