/*
 * gen: the next step from what the run has so far. The state is what a
 * guest kernel would know: the nodeids it was given (with their lookup
 * counts and whether they are directories), its open file handles, and
 * the paths below the share it has seen or made. Most steps are well
 * formed, so the daemon's deep paths run; some are host changes made
 * underneath (the inode-reuse and replace cases); some are malformed
 * (--mutate percent); now and then everything is forgotten, as a guest's
 * cache drop does. The same seed and the same answers give the same
 * steps: only success, failure and a file's type steer it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/array.h"

#define GEN_MAX_NODES 2048  /* variables kept; beyond, the run forgets and starts over */
#define GEN_PATH_MAX 96
#define GEN_FORGET_MAX 10   /* nodeids in one BATCH_FORGET: a step has 24 words */

struct gnode {
	int var;                   /* -1: the root */
	char path[GEN_PATH_MAX];   /* below the share, "" for the root ("?" unknown) */
	bool dir, symlink;
	long nlookup;
};

struct gfh {
	int var, node;
};

/* What the step just made will change, once its result is known. */
struct pending {
	enum { P_NONE, P_NODE, P_FH, P_FORGET, P_FORGET_ALL, P_RELEASE, P_HOSTDIR } what;
	int node, count, fh;
	char path[GEN_PATH_MAX];
};

struct gen {
	const struct fuzz_options *o;
	uint64_t rng;
	int next_var;
	struct gnode *nodes;
	size_t nn, ncap;
	struct gfh *fhs;
	size_t nf, fcap;
	struct pending p;
};

/* splitmix64: small, fast, and the same everywhere for a seed. */
static uint64_t next64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned below(struct gen *g, unsigned n)
{
	return n ? (unsigned)(next64(g) % n) : 0;
}

static bool chance(struct gen *g, unsigned pct)
{
	return below(g, 100) < pct;
}

struct gen *gen_new(const struct fuzz_options *o, uint64_t seed)
{
	struct gen *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->o = o;
	g->rng = seed;
	gen_reset(g);
	return g->nodes ? g : (gen_free(g), NULL);
}

void gen_free(struct gen *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g->fhs);
	free(g);
}

void gen_reset(struct gen *g)
{
	g->nn = g->nf = 0;
	g->next_var = 1;
	g->p.what = P_NONE;
	if (ARRAY_GROW(g->nodes, 1, g->ncap))
		return;
	g->nodes[g->nn++] = (struct gnode){ .var = -1, .path = "", .dir = true, .nlookup = 1 };
}

/* The word that names node @i. */
static const char *ref(const struct gen *g, size_t i, char *buf, size_t len)
{
	if (g->nodes[i].var < 0)
		return "1";
	snprintf(buf, len, "${n%d:-0}", g->nodes[i].var);
	return buf;
}

static void child_path(const struct gnode *parent, const char *nm, char *out)
{
	size_t pl = strlen(parent->path), nl = strlen(nm);

	if (parent->path[0] == '?' || pl + nl + 2 > GEN_PATH_MAX) {
		strcpy(out, "?");
		return;
	}
	memcpy(out, parent->path, pl);
	if (pl)
		out[pl++] = '/';
	memcpy(out + pl, nm, nl + 1);
}

/* A node to name: any the run was given, or, as a kernel would, only one still looked up. */
static size_t any_node(struct gen *g)
{
	for (int tries = 0; tries < 8; tries++) {
		size_t i = below(g, (unsigned)g->nn);

		if (!g->o->faithful || g->nodes[i].nlookup > 0)
			return i;
	}
	return 0;
}

static bool has_open_fh(const struct gen *g, size_t node)
{
	for (size_t k = 0; k < g->nf; k++)
		if ((size_t)g->fhs[k].node == node)
			return true;
	return false;
}

/* Whether path @a is @b or below it. */
static bool below_path(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && (!a[n] || a[n] == '/');
}

/*
 * A rename a kernel would not send: lock_rename() refuses a source that
 * is an ancestor of the target (EINVAL) or a target that is an ancestor
 * of the source (ENOTEMPTY) before the server hears of it. Unknown paths
 * count as such.
 */
static bool rename_refused(const struct gen *g, size_t from_parent, const char *nm,
			   size_t to_parent, const char *nm2)
{
	char from[GEN_PATH_MAX], to[GEN_PATH_MAX];

	child_path(&g->nodes[from_parent], nm, from);
	child_path(&g->nodes[to_parent], nm2, to);
	return from[0] == '?' || to[0] == '?' || below_path(to, from) || below_path(from, to);
}

static size_t dir_node(struct gen *g)
{
	for (int tries = 0; tries < 8; tries++) {
		size_t i = any_node(g);

		if (g->nodes[i].dir)
			return i;
	}
	return 0;
}

/*
 * A node to open, read, write or change: a kernel resolves a symlink
 * before any of those, so a faithful run never names one.
 */
static size_t data_node(struct gen *g)
{
	for (int tries = 0; tries < 8; tries++) {
		size_t i = any_node(g);

		if (!g->o->faithful || !g->nodes[i].symlink)
			return i;
	}
	return 0;
}

/* A node still looked up (the root if none). */
static size_t live_node(struct gen *g)
{
	for (int tries = 0; tries < 8; tries++) {
		size_t i = any_node(g);

		if (g->nodes[i].nlookup > 0 && g->nodes[i].var >= 0 &&
		    !(g->o->faithful && has_open_fh(g, i)))
			return i; /* a kernel keeps a node looked up while a file of it is open */
	}
	return 0;
}

static const char *const plain_names[] = { "a", "b", "c", "d", "e", "f" };

/* A name: mostly from a small set, so names meet again; sometimes one of a malformed kind. */
static void name(struct gen *g, char *buf, size_t len, bool odd)
{
	static const char *const odd_names[] = { ".", "..", "a/b", "../a", "a\nb" };

	if (odd) {
		switch (below(g, 4)) {
		case 0:
			snprintf(buf, len, "%s", odd_names[below(g, ARRAY_SIZE(odd_names))]);
			return;
		case 1:
			memset(buf, 'x', len - 1 < 300 ? len - 1 : 300);
			buf[len - 1 < 300 ? len - 1 : 300] = '\0';
			buf[below(g, 2) ? 255 : 256] = '\0';
			return;
		default:
			snprintf(buf, len, "n%u", below(g, 1000));
			return;
		}
	}
	snprintf(buf, len, "%s", plain_names[below(g, ARRAY_SIZE(plain_names))]);
}

/* A path below the share the host may change: one the guest saw, or a name under it. */
static void host_path(struct gen *g, char *out, bool dir_parent)
{
	size_t i = dir_parent ? dir_node(g) : any_node(g);
	char nm[8];

	if (g->nodes[i].path[0] == '?')
		i = 0;
	if (!dir_parent && g->nodes[i].var >= 0) {
		snprintf(out, GEN_PATH_MAX, "%s", g->nodes[i].path);
		return;
	}
	if (!g->nodes[i].dir)
		i = 0;
	name(g, nm, sizeof(nm), false);
	child_path(&g->nodes[i], nm, out);
}

static int host_step(struct gen *g, struct fstep *st)
{
	char a[GEN_PATH_MAX], b[GEN_PATH_MAX];

	host_path(g, a, below(g, 2));
	switch (below(g, 9)) {
	case 0:
	case 1:
		return fstep_make(st, FSTEP_HOST, "write %s %u", a, below(g, 100000));
	case 2:
		return fstep_make(st, FSTEP_HOST, "unlink %s", a);
	case 3:
		host_path(g, b, true);
		return fstep_make(st, FSTEP_HOST, "rename %s %s", a, b);
	case 4:
		g->p = (struct pending){ .what = P_HOSTDIR };
		return fstep_make(st, FSTEP_HOST, "mkdir %s", a);
	case 5:
		return fstep_make(st, FSTEP_HOST, "rmdir %s", a);
	case 6:
		host_path(g, b, true);
		return fstep_make(st, FSTEP_HOST, "link %s %s", a, b);
	case 7:
		return fstep_make(st, FSTEP_HOST, "symlink %s %s", below(g, 2) ? "a" : "../canary", a);
	default:
		/* A fresh file: on ext4-small it likely reuses an inode number just freed. */
		return fstep_make(st, FSTEP_HOST, "write %s new", a);
	}
}

/* A malformed request: a named fault of the client, or one made field by field. */
static int mutate_step(struct gen *g, struct fstep *st)
{
	static const char *const faults[] = { "len-short", "len-long", "short-input",
					      "name-unterminated", "batch-forget-lie",
					      "unique-zero", "short-header", "getattr-on-hiprio" };
	static const char *const chains[] = { "zero-length", "writable-first", "no-reply-room",
					      "outside" };
	static const unsigned opcodes[] = { 1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
					    18, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32,
					    33, 34, 35, 37, 39, 40, 41, 43, 44, 45, 46, 47, 48,
					    49, 50, 51, 52, 99, 4096 };
	char nb[32], nm[320], fields[256] = "";
	size_t at = 0;
	unsigned n = below(g, 10);

	if (n == 0)
		return fstep_make(st, FSTEP_RAW, "%s", faults[below(g, ARRAY_SIZE(faults))]);
	if (n == 1 && g->o->vhost_user)
		return fstep_make(st, FSTEP_RAW, "%s", chains[below(g, ARRAY_SIZE(chains))]);
	if (n == 2) {
		switch (below(g, 3)) {
		case 0:
			return fstep_make(st, FSTEP_FUSE, "getattr %llu",
					  (unsigned long long)(next64(g) >> below(g, 64)));
		case 1:
			return fstep_make(st, FSTEP_FUSE, "release %s %llu",
					  ref(g, live_node(g), nb, sizeof(nb)),
					  (unsigned long long)(next64(g) >> below(g, 64)));
		default:
			name(g, nm, sizeof(nm), true);
			return fstep_make(st, FSTEP_FUSE, "lookup %s \x1f%s\x1f",
					  ref(g, dir_node(g), nb, sizeof(nb)), nm);
		}
	}
	for (unsigned k = below(g, 4); k > 0 && at < sizeof(fields) - 64; k--) {
		switch (below(g, 4)) {
		case 0:
			at += (size_t)snprintf(fields + at, sizeof(fields) - at, " u32:%u",
					       (unsigned)next64(g));
			break;
		case 1:
			at += (size_t)snprintf(fields + at, sizeof(fields) - at, " u64:%llu",
					       (unsigned long long)(next64(g) >> below(g, 64)));
			break;
		case 2:
			at += (size_t)snprintf(fields + at, sizeof(fields) - at, " s:%s",
					       plain_names[below(g, ARRAY_SIZE(plain_names))]);
			break;
		default:
			at += (size_t)snprintf(fields + at, sizeof(fields) - at, " z:%u",
					       below(g, 80));
		}
	}
	if (chance(g, 30))
		return fstep_make(st, FSTEP_RAW, "send len=%u %u %s%s", below(g, 200),
				  opcodes[below(g, ARRAY_SIZE(opcodes))],
				  ref(g, any_node(g), nb, sizeof(nb)), fields);
	return fstep_make(st, FSTEP_RAW, "send %u %s%s", opcodes[below(g, ARRAY_SIZE(opcodes))],
			  ref(g, any_node(g), nb, sizeof(nb)), fields);
}

/* BATCH_FORGET of everything still looked up: a guest dropping its caches. */
static int forget_all(struct gen *g, struct fstep *st)
{
	char line[1024] = "batch-forget";
	size_t at = strlen(line);
	int n = 0;

	for (size_t i = 1; i < g->nn && at < sizeof(line) - 48 && n < GEN_FORGET_MAX; i++)
		if (g->nodes[i].nlookup > 0 && !(g->o->faithful && has_open_fh(g, i))) {
			at += (size_t)snprintf(line + at, sizeof(line) - at, " ${n%d:-0} %ld",
					       g->nodes[i].var, g->nodes[i].nlookup);
			n++;
		}
	if (!n)
		return fstep_make(st, FSTEP_FUSE, "statfs");
	g->p = (struct pending){ .what = P_FORGET_ALL };
	return fstep_make(st, FSTEP_FUSE, "%s", line);
}

/* An entry-making request on @parent: its node comes with its result. */
static int entry_step(struct gen *g, struct fstep *st, const char *fmt, size_t parent,
		      const char *nm)
{
	char pb[32];
	int r;

	g->p = (struct pending){ .what = P_NODE, .node = (int)parent };
	child_path(&g->nodes[parent], nm, g->p.path);
	r = fstep_make(st, FSTEP_FUSE, fmt, ref(g, parent, pb, sizeof(pb)), nm);
	st->capture = g->next_var++;
	st->capture_kind = 'n';
	return r;
}

/* The node the guest last saw at @path, or 0. */
static size_t node_at(const struct gen *g, const char *path)
{
	for (size_t i = g->nn; i-- > 1;)
		if (!strcmp(g->nodes[i].path, path))
			return i;
	return 0;
}

/*
 * UNLINK (@unlink) or RMDIR of @nm in @parent. A kernel looks the name up
 * first and sends UNLINK for a non-directory and RMDIR for a directory
 * only (may_delete: EISDIR, ENOTDIR before the server hears of it): a
 * faithful run does the same, a lookup where it knows no type yet.
 */
static int remove_step(struct gen *g, struct fstep *st, bool unlink, size_t parent, const char *nm)
{
	char a[32], path[GEN_PATH_MAX];
	size_t i;

	if (g->o->faithful) {
		child_path(&g->nodes[parent], nm, path);
		i = node_at(g, path);
		if (!i)
			return entry_step(g, st, "lookup %s %s", parent, nm);
		unlink = !g->nodes[i].dir;
	}
	return fstep_make(st, FSTEP_FUSE, "%s %s %s", unlink ? "unlink" : "rmdir",
			  ref(g, parent, a, sizeof(a)), nm);
}

static int fuse_step(struct gen *g, struct fstep *st)
{
	char a[32], b[32], nm[8], nm2[8];
	size_t i, j;
	unsigned w = below(g, 100);

	name(g, nm, sizeof(nm), false);
	if (w < 24)
		return entry_step(g, st, "lookup %s %s", dir_node(g), nm);
	if (w < 36)
		return fstep_make(st, FSTEP_FUSE, "getattr %s", ref(g, any_node(g), a, sizeof(a)));
	if (w < 42) {
		i = live_node(g);
		if (!i)
			return fstep_make(st, FSTEP_FUSE, "getattr 1");
		g->p = (struct pending){ .what = P_FORGET, .node = (int)i,
					 .count = (int)(1 + below(g, (unsigned)g->nodes[i].nlookup)) };
		return fstep_make(st, FSTEP_FUSE, "forget %s %d", ref(g, i, a, sizeof(a)),
				  g->p.count);
	}
	if (w < 48)
		return entry_step(g, st, "create %s %s", dir_node(g), nm);
	if (w < 52)
		return entry_step(g, st, "mkdir %s %s", dir_node(g), nm);
	if (w < 54) {
		i = dir_node(g);
		g->p = (struct pending){ .what = P_NODE, .node = (int)i };
		child_path(&g->nodes[i], nm, g->p.path);
		fstep_make(st, FSTEP_FUSE, "symlink %s %s %s", ref(g, i, a, sizeof(a)), nm,
			   below(g, 2) ? "a" : "../../x");
		st->capture = g->next_var++;
		st->capture_kind = 'n';
		return st->argc ? 0 : -ENOMEM;
	}
	if (w < 56) {
		i = any_node(g);
		j = dir_node(g);
		if (g->o->faithful && g->nodes[i].dir)
			return fstep_make(st, FSTEP_FUSE, "getattr %s", ref(g, i, a, sizeof(a)));
		g->p = (struct pending){ .what = P_NODE, .node = (int)j };
		child_path(&g->nodes[j], nm, g->p.path);
		fstep_make(st, FSTEP_FUSE, "link %s %s %s", ref(g, i, a, sizeof(a)),
			   ref(g, j, b, sizeof(b)), nm);
		st->capture = g->next_var++;
		st->capture_kind = 'n';
		return st->argc ? 0 : -ENOMEM;
	}
	if (w < 63)
		return remove_step(g, st, w < 61, dir_node(g), nm);
	if (w < 68) {
		static const char *const flags[] = { "", " noreplace", " exchange" };

		name(g, nm2, sizeof(nm2), false);
		i = dir_node(g);
		j = dir_node(g);
		if (g->o->faithful && rename_refused(g, i, nm, j, nm2))
			return fstep_make(st, FSTEP_FUSE, "getattr %s", ref(g, j, b, sizeof(b)));
		return fstep_make(st, FSTEP_FUSE, "rename %s %s %s %s%s", ref(g, i, a, sizeof(a)), nm,
				  ref(g, j, b, sizeof(b)), nm2, flags[below(g, 6) % 3]);
	}
	if (w < 71)
		return fstep_make(st, FSTEP_FUSE, "setattr %s %s %u", ref(g, data_node(g), a, sizeof(a)),
				  below(g, 2) ? "size" : "mode", below(g, 2) ? below(g, 5000) : 0600 + below(g, 0200));
	if (w < 75) {
		i = data_node(g);
		g->p = (struct pending){ .what = P_FH, .node = (int)i };
		fstep_make(st, FSTEP_FUSE, "open %s %s", ref(g, i, a, sizeof(a)),
			   below(g, 2) ? "ro" : "rw");
		st->capture = g->next_var++;
		st->capture_kind = 'h';
		return st->argc ? 0 : -ENOMEM;
	}
	if (w < 78 && g->nf) {
		size_t k = below(g, (unsigned)g->nf);

		g->p = (struct pending){ .what = P_RELEASE, .fh = (int)k };
		return fstep_make(st, FSTEP_FUSE, "release %s ${h%d:-0}",
				  ref(g, (size_t)g->fhs[k].node, a, sizeof(a)), g->fhs[k].var);
	}
	if (w < 84)
		return fstep_make(st, FSTEP_FUSE, "read %s %u %u", ref(g, data_node(g), a, sizeof(a)),
				  1 + below(g, 8192), below(g, 2) ? 0 : below(g, 10000));
	if (w < 90)
		return fstep_make(st, FSTEP_FUSE, "write %s %u", ref(g, data_node(g), a, sizeof(a)),
				  below(g, 1000000));
	if (w < 94)
		return fstep_make(st, FSTEP_FUSE, "readdir %s", ref(g, dir_node(g), a, sizeof(a)));
	if (w < 97)
		return fstep_make(st, FSTEP_FUSE, "readlink %s", ref(g, any_node(g), a, sizeof(a)));
	if (w < 99)
		return fstep_make(st, FSTEP_FUSE, "statfs");
	return forget_all(g, st);
}

int gen_next(struct gen *g, struct fstep *st)
{
	g->p.what = P_NONE;
	if (g->nn >= GEN_MAX_NODES)
		return forget_all(g, st);
	if (chance(g, (unsigned)g->o->host_pct))
		return host_step(g, st);
	if (!g->o->faithful && chance(g, (unsigned)g->o->mutate_pct))
		return mutate_step(g, st);
	return fuse_step(g, st);
}

/* A field of the reply, "" when it has none. */
static const char *field(const struct fuse_words_out *out, const char *key)
{
	const char *v = fuse_words_field(out, key);

	return v ? v : "";
}

void gen_took(struct gen *g, const struct fstep *st, int r, const struct fuse_words_out *out)
{
	struct pending *p = &g->p;

	switch (p->what) {
	case P_NODE:
		if (r || ARRAY_GROW(g->nodes, g->nn + 1, g->ncap))
			break;
		g->nodes[g->nn] = (struct gnode){ .var = st->capture, .nlookup = 1,
						  .dir = !strcmp(field(out, "type"), "dir"),
						  .symlink = !strcmp(field(out, "type"), "symlink") };
		snprintf(g->nodes[g->nn].path, GEN_PATH_MAX, "%s", p->path);
		g->nn++;
		break;
	case P_FH:
		if (r || ARRAY_GROW(g->fhs, g->nf + 1, g->fcap))
			break;
		g->fhs[g->nf++] = (struct gfh){ .var = st->capture, .node = p->node };
		break;
	case P_RELEASE:
		if (!r)
			g->fhs[p->fh] = g->fhs[--g->nf];
		break;
	case P_FORGET:
		if (!r)
			g->nodes[p->node].nlookup -= p->count;
		break;
	case P_FORGET_ALL:
		if (!r)
			for (size_t i = 1, n = 0; i < g->nn && n < GEN_FORGET_MAX; i++)
				if (g->nodes[i].nlookup > 0 &&
				    !(g->o->faithful && has_open_fh(g, i))) {
					g->nodes[i].nlookup = 0;
					n++;
				}
		if (g->nn >= GEN_MAX_NODES) {
			/* Forgotten nodes go; the kept ones move down, the root stays first. */
			size_t k = 1;

			for (size_t i = 1; i < g->nn; i++)
				if (g->nodes[i].nlookup > 0)
					g->nodes[k++] = g->nodes[i];
			g->nn = k;
			g->nf = 0;
		}
		break;
	default:
		break;
	}
	p->what = P_NONE;
}
