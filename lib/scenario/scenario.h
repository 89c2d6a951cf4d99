/*
 * scenario: a parsed scenario file. A scenario is a header (title, case,
 * fixture, requirements, server options, the designs it is known to fail
 * on) and a list of steps; scenarios/README.md is the language's manual.
 */
#ifndef VFS_SCENARIO_H
#define VFS_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

#include "fuse/client/init_profile.h"
#include "guest/guest_ops.h"
#include "target/target.h"

#define SCENARIO_MAX_SERVER_ARGS 16
#define SCENARIO_MAX_INJECT 8    /* inject lines */
#define SCENARIO_MAX_DEPTH 8     /* nested repeat blocks */

#define SCENARIO_MAX_TARGETS 32 /* patterns in fails-on, and in only */

enum step_kind { KIND_GUEST = 1, KIND_HOST = 2, KIND_SERVER = 4, KIND_SET = 8, KIND_DAEMON = 16,
		 KIND_FUSE = 32, KIND_RAW = 64, KIND_NOTIFY = 128, KIND_INJECT = 256,
		 KIND_CANARY = 512, KIND_ORACLE = 1024 };

enum expect_type {
	EXPECT_NONE,  /* no expect: the step must succeed */
	EXPECT_OK,    /* succeeds, any value */
	EXPECT_ANY,   /* anything, failure included */
	EXPECT_ERRNO, /* fails with this errno */
	EXPECT_VALUE, /* succeeds with this value */
	EXPECT_AT_MOST,  /* succeeds with a number <= value */
	EXPECT_AT_LEAST, /* succeeds with a number >= value */
};

struct expect {
	enum expect_type type;
	bool negate; /* "!": anything but the match */
	int err;
	char *value; /* may hold $variables */
};

/* Limits of the language, each with its own error (scenarios/README.md). */
#define SCENARIO_VALUE_MAX STEP_VALUE_MAX /* bytes a variable or an expanded word may hold */

struct step {
	int line;
	enum step_kind kind;
	const struct op *op;
	int argc;
	char *argv[STEP_MAX_ARGS]; /* may hold $variables */
	char *capture;             /* "=> NAME", or NULL */
	struct expect expect;
	bool assume;               /* a premise: if it fails, the run is skipped */
	bool applies;              /* a premise on the target (with assume): if it fails, n/a */
	bool witness;              /* its failure on a fails-on design is the bug */
	struct expect bug;         /* with witness: what the bug gives (EXPECT_NONE: any failure) */
	int repeat_end;            /* for "repeat": index of its "end"; for "end": its repeat */
	int repeat_count;
	char *repeat_var;          /* the counter's name ("i" unless named) */
	char *background;          /* "background NAME" (repeat_end: its end), or NULL */
	char *join;                /* "join NAME", or NULL */
};

struct scenario {
	char *path;
	char *name;     /* family/name, from the path */
	char *title;
	char *case_name;
	char *fixture;
	unsigned requires;   /* REQUIRES_* */
	int nfails_on, nonly; /* only: none means every target */
	struct target fails_on[SCENARIO_MAX_TARGETS], only[SCENARIO_MAX_TARGETS];
	/*
	 * "by-design TARGET REASON": as fails-on (its witnesses must fail as
	 * declared), but the daemon documents the behaviour: "by design".
	 */
	int nby_design;
	struct target by_design[SCENARIO_MAX_TARGETS];
	char *by_design_why[SCENARIO_MAX_TARGETS];
	int ninject;
	char *inject[SCENARIO_MAX_INJECT]; /* vfs-inject exec --fail specs for the server */
	long nofile;         /* "limit nofile=N": the server's RLIMIT_NOFILE; 0: as is */
	const struct fuse_init_profile *init; /* "init PROFILE": its INIT, whatever the run's */
	int nserver_args;
	char *server_args[SCENARIO_MAX_SERVER_ARGS];
	int nsteps;
	struct step *steps;
	size_t steps_cap;
	int nwitnesses;
	bool protocol;       /* fuse or raw steps: runs on protocol targets, no mount */
	bool canary;         /* canary steps: a tree beside the share, made before the first */
	bool oracle;         /* oracle steps: every fuse step's reply is judged (lib/fuzz) */
};

#define REQUIRES_ROOT 1u
#define REQUIRES_LOOP 2u
#define REQUIRES_VHOST_USER 4u /* descriptor chains: n/a where there are none */
/*
 * Requests only a forger sends (a guest over virtio-fs): over /dev/fuse the
 * host's kernel is the sender and never sends them, so n/a there.
 */
#define REQUIRES_FORGED 8u

/*
 * "name[INDEX]" variables: the name of variable @name at @index, for
 * captures and references alike; @out has room for @len bytes.
 */
int indexed_name(const char *name, size_t namelen, const char *index, char *out, size_t len);

/* An operation a step can name: which kinds may use it, its arguments. */
struct op {
	const char *name;
	unsigned kinds;
	int min_args, max_args;
	const char *usage;
	unsigned paths;  /* bit i: argument i names a file below the root; ~0u: all from 1 */
};

const struct op *op_find(const char *name, enum step_kind kind);
extern const struct op scenario_ops[];

/*
 * Parses the file at @path. On any error writes "PATH:LINE: message" lines
 * to @err and returns NULL; nothing has run by then.
 */
struct scenario *scenario_parse(const char *path, FILE *err);
void scenario_free(struct scenario *s);

/* Whether @o resolves the last component of its paths (a symlink is followed). */
bool op_follows(const struct op *o);
/* Whether argument @i of @o names a file below the root. */
bool op_arg_is_path(const struct op *o, int i);
/* Why @path would leave the root ("is absolute", ...), or NULL. */
const char *path_escapes(const char *path);
/* @w is a decimal number from @min to @max, and nothing else. */
bool whole_number(const char *w, long min, long max);

/* Whether fails-on names @t; whether only lets @t run it (no only: every target). */
bool scenario_fails_on(const struct scenario *s, const struct target *t);
/* The reason of the by-design line naming @t, or NULL. */
const char *scenario_by_design(const struct scenario *s, const struct target *t);
bool scenario_only(const struct scenario *s, const struct target *t);
/* Whether a host step changes the tree (creates, writes, removes, renames, links). */
bool scenario_changes_host(const struct scenario *s);

/* Known fixtures, for the header check. */
bool fixture_known(const char *name);
/* The case names a scenario may give, NULL-terminated. */
extern const char *const scenario_cases[];

#endif
