/*
 * vfs-fuzz: sequences of FUSE requests and host changes, generated from a
 * seed, run against a daemon and judged by lib/fuzz/fuzz_oracle. A step
 * is a scenario step in words (fuse, raw or host, vfs-scenario(5)), so a
 * sequence is written out as a scenario and replays as one; nodeids and
 * file handles a step gets are captured in variables (n7, h9) that later
 * steps name as ${n7:-0}.
 */
#ifndef VFS_FUZZ_H
#define VFS_FUZZ_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuse/client/fuse_target.h"
#include "fuzz/fuzz_oracle.h"
#include "target/target_argv.h"
#include "target/target_locate.h"
#include "util/strbuf.h"

#define FSTEP_MAX_WORDS 24

enum fstep_kind { FSTEP_FUSE, FSTEP_RAW, FSTEP_HOST };

struct fstep {
	enum fstep_kind kind;
	int argc;                       /* argv[0] is the operation */
	char *argv[FSTEP_MAX_WORDS];    /* malloc'd; ${nK:-0} names a capture */
	int capture;                    /* K of the variable it sets (nK or hK), -1: none */
	char capture_kind;              /* 'n' (a nodeid) or 'h' (a file handle) */
};

struct seq {
	struct fstep *v;
	size_t nr, cap;
};

/* Steps (step.c). */
int fstep_make(struct fstep *st, enum fstep_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fstep_copy(struct fstep *dst, const struct fstep *src);
void fstep_free(struct fstep *st);
/* The step as a scenario line ("expect any fuse lookup 1 a => n3"). */
void fstep_line(const struct fstep *st, struct strbuf *out);
int seq_push(struct seq *s, struct fstep *st); /* takes @st's words */
void seq_free(struct seq *s);
const char *fstep_kind_name(enum fstep_kind k);

/* Variables: values of nK and hK by K. */
struct vars {
	char **v;
	size_t cap;
};
int vars_set(struct vars *vs, int k, const char *value);
const char *vars_get(const struct vars *vs, int k);
void vars_free(struct vars *vs);
/* @word with a ${xK:-0} reference replaced; a word of its own or @buf. */
const char *vars_expand(const struct vars *vs, const char *word, char *buf, size_t len);

/* What is fuzzed and how (main.c fills it). */
struct fuzz_options {
	struct target target;
	struct target_paths paths;
	struct target_locations loc;
	char fixtures[PATH_MAX];
	const char *fixture;            /* tmpfs or ext4-small */
	char *serve_args[16];
	int nserve_args;
	char *inject[8];
	int ninject;
	uint64_t seed;
	long requests;                  /* stop after this many steps (0: --seconds) */
	double seconds;
	int restart_every;              /* steps per daemon run */
	int mutate_pct;                 /* malformed requests, in percent */
	int host_pct;                   /* host changes, in percent */
	const char *corpus;             /* DIR, or NULL */
	const char *out_dir;            /* where findings are written as scenarios */
	int sites_fd;                   /* a written finding's site goes here too (-1: nowhere) */
	bool json, quiet, shrink, vhost_user;
	bool faithful;                  /* only what a kernel sends: live nodeids, no malformed requests */
	bool socket_transport;          /* a foreign daemon on a SEQPACKET socket or /dev/fuse fd */
	int timeout_ms;
	int fd_slack;                   /* fds a daemon may keep beyond its own, all forgotten */
	int raw_wait_ms;                /* how long a raw request's reply is waited for */
	const struct fuse_init_profile *init;
	unsigned exceptions;            /* ORACLE_EXCEPT_* of the target */
};

/* One daemon run on a fresh fixture (session.c). */
struct session {
	const struct fuzz_options *o;
	char workdir[256], dir[300], source[320], errlog[300];
	char inject_log[300], inject_armed[300], ctl[300], log[300];
	struct strbuf canary_before;
	struct fuse_target ft;
	bool up;
	struct fuzz_oracle *oracle;
	struct vars vars;
	struct fuse_words_out out;
	char how[64];                   /* how the daemon ended */
	long long started_ms;           /* the last start, for the restart time */
	long long start_ms_total;
	long starts;
	int fds_start;                  /* the daemon's fds once INIT was done */
	long growth_limit;              /* the last growth check's limit: fds after INIT, slack, open files */
	bool growth_plain;              /* ... with the drain already in the sequence */
};

int session_init(struct session *ss, const struct fuzz_options *o, const char *workdir);
/* A fresh fixture and daemon, connected and past INIT. 0 or -errno with ss->ft.err. */
int session_start(struct session *ss, struct strbuf *err);
/* Runs one step; its result (0 or -errno) and value. */
int session_step(struct session *ss, const struct fstep *st, struct strbuf *value);
/* Whether anything beside the share changed: 0, or 1 with what in @out. */
int session_canary(struct session *ss, struct strbuf *out);
/* The daemon's open fds now (its serving process), or -errno. */
int session_fds(struct session *ss);
/* The same, given up to half a second to come down to @limit. */
int session_fds_settled(struct session *ss, long limit);
void session_stop(struct session *ss);
void session_release(struct session *ss);

/* The generator (gen.c). */
struct gen;
struct gen *gen_new(const struct fuzz_options *o, uint64_t seed);
void gen_free(struct gen *g);
/* Forgets the daemon run's state (nodeids, handles): a new run starts. */
void gen_reset(struct gen *g);
/* The next step (the caller owns it). 0 or -ENOMEM. */
int gen_next(struct gen *g, struct fstep *st);
/* Takes what the step gave, so later steps name what exists. */
void gen_took(struct gen *g, const struct fstep *st, int r, const struct fuse_words_out *out);

/* Findings that are not fuzz_oracle's: the canary and the daemon's fds. */
#define FINDING_CANARY ORACLE_COUNT
#define FINDING_GROWTH (ORACLE_COUNT + 1)

/* A finding: the verdict of one oracle, and the steps that led there. */
struct finding {
	int kind;                       /* enum fuzz_oracle_kind, or FINDING_* */
	char *site, *text;
	long limit;                     /* FINDING_GROWTH: the fds it may hold at the end */
};

/*
 * Runs @s on a fresh session; whether the verdict with @site shows (and,
 * with @found, which verdict came first otherwise) (shrink.c).
 */
bool seq_reproduces(struct session *ss, const struct seq *s, const char *site);
/*
 * @s without the steps that were not made when it ran (-ECANCELED: a
 * request a kernel would have refused, in a faithful run, or a host path
 * out of the share), so that its scenario has none of them.
 */
int seq_drop_unsent(struct session *ss, struct seq *s);
/*
 * The steps that forget, at the end of @s as it just ran on @ss, every
 * nodeid it still holds (by the steps' captures and forgets, the ones
 * that succeeded), but those with a file open, then a GETATTR to know the
 * server took them: the growth oracle's end of a sequence; *@open_files:
 * the files it leaves open. 0 or -ENOMEM.
 */
int seq_drain(struct session *ss, const struct seq *s, struct seq *out, int *open_files);
/* Shrinks @s (delta debugging on steps, then on words) keeping @site. */
int seq_shrink(struct session *ss, struct seq *s, const char *site, int *trials);

/*
 * Writes @s as a scenario that fails with @f's verdict, or (@f NULL) as a
 * corpus entry (scn_write.c). 0 or -errno.
 */
int scn_write(const struct fuzz_options *o, const struct seq *s, const struct finding *f,
	      long found_at, const char *path);

#endif
