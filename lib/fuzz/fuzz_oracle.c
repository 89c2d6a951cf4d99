/*
 * fuzz_oracle: a table of the nodeids the server handed out, each with the
 * generation it came with, its lookup count as the client kept it, and
 * the host file it named then (its file handle). The host is asked at the
 * moment a reply is taken: the client is single-threaded and changes the
 * host only between requests, so what the host says is what the server
 * saw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz_oracle.h"
#include "util/hash_table.h"
#include "util/number.h"
#include "util/handle_text.h"
#include "util/strbuf.h"

struct node {
	struct hash_link by_nodeid;
	struct hash_link by_handle; /* only while live and with a handle */
	unsigned long long nodeid, generation, nlookup;
	bool has_handle, in_handles;
	int mnt;                    /* the mount the handle is of */
	union handle_buf h;
};

struct fuzz_oracle {
	int root_fd;           /* the source: nodeid 1, and the mount fd for handles */
	int root_mnt;          /* its mount id, as name_to_handle_at gives it */
	unsigned exceptions;
	struct hash_table nodes, handles;
	struct {
		char *site, *text;
	} verdict[ORACLE_COUNT];
	int nverdicts;
};

static const char *const names[ORACLE_COUNT] = {
	[ORACLE_ALIVE] = "alive", [ORACLE_PROTOCOL] = "protocol", [ORACLE_IDENTITY] = "identity",
	[ORACLE_DUPLICATE] = "duplicate", [ORACLE_DIFFERS] = "differs",
};

const char *fuzz_oracle_name(enum fuzz_oracle_kind k)
{
	return k < ORACLE_COUNT ? names[k] : NULL;
}

int fuzz_oracle_parse(const char *name)
{
	for (int k = 0; k < ORACLE_COUNT; k++)
		if (!strcmp(name, names[k]))
			return k;
	return -1;
}

static uint64_t node_hash(const struct hash_link *l)
{
	unsigned long long id = container_of(l, struct node, by_nodeid)->nodeid;

	return hash_bytes(&id, sizeof(id), 0);
}

static bool node_match(const struct hash_link *l, const void *key)
{
	return container_of(l, struct node, by_nodeid)->nodeid ==
	       *(const unsigned long long *)key;
}

static uint64_t handle_hash_of(const union handle_buf *h)
{
	return hash_bytes(h->fh.f_handle, h->fh.handle_bytes, (uint64_t)h->fh.handle_type);
}

static uint64_t handle_hash(const struct hash_link *l)
{
	return handle_hash_of(&container_of(l, struct node, by_handle)->h);
}

static bool same_handle(const union handle_buf *a, const union handle_buf *b)
{
	return a->fh.handle_type == b->fh.handle_type && a->fh.handle_bytes == b->fh.handle_bytes &&
	       !memcmp(a->fh.f_handle, b->fh.f_handle, a->fh.handle_bytes);
}

/* Another live node than @self naming the same file. */
struct other_key {
	const union handle_buf *h;
	const struct node *self;
};

static bool other_match(const struct hash_link *l, const void *key)
{
	const struct other_key *k = key;
	const struct node *n = container_of(l, struct node, by_handle);

	return n != k->self && n->mnt == k->self->mnt && same_handle(&n->h, k->h);
}

struct fuzz_oracle *fuzz_oracle_new(const char *host_root, unsigned exceptions, int *err)
{
	struct fuzz_oracle *o = calloc(1, sizeof(*o));

	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	o->exceptions = exceptions;
	/* Not O_PATH: open_by_handle_at takes no O_PATH mount fd (EBADF). */
	o->root_fd = open(host_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->root_fd < 0) {
		*err = -errno;
		free(o);
		return NULL;
	}
	union handle_buf h = { .fh.handle_bytes = MAX_HANDLE_SZ };

	if (name_to_handle_at(o->root_fd, "", &h.fh, &o->root_mnt, AT_EMPTY_PATH) < 0) {
		*err = -errno; /* a filesystem without handles: no identity to check */
		fuzz_oracle_free(o);
		return NULL;
	}
	if (hash_table_init(&o->nodes, node_hash) || hash_table_init(&o->handles, handle_hash)) {
		*err = -ENOMEM;
		fuzz_oracle_free(o);
		return NULL;
	}
	return o;
}

static void free_node(struct hash_link *l, void *arg)
{
	(void)arg;
	free(container_of(l, struct node, by_nodeid));
}

void fuzz_oracle_free(struct fuzz_oracle *o)
{
	if (!o)
		return;
	hash_table_each(&o->nodes, free_node, NULL);
	hash_table_release(&o->nodes);
	hash_table_release(&o->handles);
	for (int k = 0; k < ORACLE_COUNT; k++) {
		free(o->verdict[k].site);
		free(o->verdict[k].text);
	}
	if (o->root_fd >= 0)
		close(o->root_fd);
	free(o);
}

static void verdict(struct fuzz_oracle *o, enum fuzz_oracle_kind k, const char *site,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void verdict(struct fuzz_oracle *o, enum fuzz_oracle_kind k, const char *site,
		    const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	if (o->verdict[k].site)
		return; /* the first one stands: later ones may follow from it */
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (asprintf(&o->verdict[k].site, "%s %s", names[k], site) < 0)
		o->verdict[k].site = NULL;
	o->verdict[k].text = text;
	if (o->verdict[k].site)
		o->nverdicts++;
}

const char *fuzz_oracle_site(const struct fuzz_oracle *o, enum fuzz_oracle_kind k)
{
	return o->verdict[k].site;
}

const char *fuzz_oracle_text(const struct fuzz_oracle *o, enum fuzz_oracle_kind k)
{
	return o->verdict[k].text;
}

int fuzz_oracle_count(const struct fuzz_oracle *o)
{
	return o->nverdicts;
}

static struct node *node_find(const struct fuzz_oracle *o, unsigned long long nodeid)
{
	struct hash_link *l = hash_table_find(&o->nodes, hash_bytes(&nodeid, sizeof(nodeid), 0),
					      node_match, &nodeid);

	return l ? container_of(l, struct node, by_nodeid) : NULL;
}

static struct node *node_get(struct fuzz_oracle *o, unsigned long long nodeid)
{
	struct node *n = node_find(o, nodeid);

	if (n)
		return n;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->nodeid = nodeid;
	hash_table_insert(&o->nodes, &n->by_nodeid, hash_bytes(&nodeid, sizeof(nodeid), 0));
	return n;
}

static void handles_leave(struct fuzz_oracle *o, struct node *n)
{
	if (n->in_handles)
		hash_table_remove(&o->handles, &n->by_handle);
	n->in_handles = false;
}

static void handles_enter(struct fuzz_oracle *o, struct node *n)
{
	if (n->in_handles || !n->has_handle)
		return;
	hash_table_insert(&o->handles, &n->by_handle, handle_hash_of(&n->h));
	n->in_handles = true;
}

/* An fd on the host file @n named (O_PATH), or -errno (-ESTALE: it is gone). */
static int node_open(const struct fuzz_oracle *o, const struct node *n, unsigned long long nodeid)
{
	int fd;

	if (nodeid == FUSE_ROOT_ID) {
		fd = fcntl(o->root_fd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	if (!n || !n->has_handle)
		return -ENOENT;
	if (n->mnt != o->root_mnt)
		return -EXDEV; /* a submount: its handles need a mount fd of their own */
	fd = open_by_handle_at(o->root_fd, (struct file_handle *)&n->h.fh, O_PATH | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Whether the client still holds @nodeid (the root always): a request on
 * one it forgot names nothing it was given, and the server may have given
 * the number to another file since, so its answer says nothing the host
 * can check.
 */
static bool held(const struct fuzz_oracle *o, unsigned long long nodeid)
{
	const struct node *n = node_find(o, nodeid);

	return nodeid == FUSE_ROOT_ID || (n && n->nlookup > 0);
}

static bool plain_name(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s < ' ')
			return false;
	return true;
}

static bool number(const char *w, unsigned long long *v)
{
	return w && !number_parse(w, ULLONG_MAX, v);
}

static void handle_desc(const union handle_buf *h, char *buf, size_t len)
{
	handle_text_format(&h->fh, buf, len);
}

/* A new entry for @name in the host directory of @parent: what it names, and whether that holds. */
static void took_entry(struct fuzz_oracle *o, const char *op, unsigned long long parent,
		       const char *name, const struct fuse_words_out *out)
{
	unsigned long long nodeid, gen;
	union handle_buf h = { .fh.handle_bytes = MAX_HANDLE_SZ };
	struct node *n;
	int dirfd, mnt, r;
	char was[HANDLE_TEXT_MAX], now[HANDLE_TEXT_MAX];
	struct other_key key;
	struct hash_link *l;

	if (!number(fuse_words_field(out, "nodeid"), &nodeid) || !number(fuse_words_field(out, "generation"), &gen))
		return;
	if (!held(o, parent)) {
		/* An entry under a parent it forgot: counted, not judged. */
		n = node_get(o, nodeid);
		if (n)
			n->nlookup++;
		return;
	}
	dirfd = node_open(o, node_find(o, parent), parent);
	if (dirfd < 0)
		return; /* the parent is gone from the host, or was never seen: nothing to hold it to */
	r = name_to_handle_at(dirfd, name, &h.fh, &mnt, 0); /* 0: a symlink itself */
	close(dirfd);
	n = node_get(o, nodeid);
	if (!n)
		return;
	if (r < 0) {
		if (errno == ENOENT)
			verdict(o, ORACLE_DIFFERS, op, "%s %llu %s gave nodeid %llu, but the host has no %s there",
				op, parent, name, nodeid, name);
		n->nlookup++;
		return;
	}
	handle_desc(&h, now, sizeof(now));
	if (n->has_handle && n->generation == gen && (n->mnt != mnt || !same_handle(&n->h, &h))) {
		handle_desc(&n->h, was, sizeof(was));
		if (n->nlookup)
			verdict(o, ORACLE_IDENTITY, op,
				"nodeid %llu generation %llu named host file %s and, still looked up, now names %s (%s %llu %s)",
				nodeid, gen, was, now, op, parent, name);
		else
			verdict(o, ORACLE_IDENTITY, "reused",
				"nodeid %llu generation %llu named host file %s, was forgotten, and came back for %s (%s %llu %s)",
				nodeid, gen, was, now, op, parent, name);
	}
	handles_leave(o, n);
	n->h = h;
	n->mnt = mnt;
	n->has_handle = true;
	n->generation = gen;
	n->nlookup++;
	handles_enter(o, n);
	key = (struct other_key){ .h = &n->h, .self = n };
	l = hash_table_find(&o->handles, handle_hash_of(&n->h), other_match, &key);
	if (l && !(o->exceptions & ORACLE_EXCEPT_PER_NAME_NODES))
		verdict(o, ORACLE_DUPLICATE, op, "host file %s has two live nodeids, %llu and %llu (%s %llu %s)",
			now, container_of(l, struct node, by_handle)->nodeid, nodeid, op, parent, name);
}

static void forgot(struct fuzz_oracle *o, unsigned long long nodeid, unsigned long long count)
{
	struct node *n = node_find(o, nodeid);

	if (!n)
		return;
	n->nlookup = count >= n->nlookup ? 0 : n->nlookup - count;
	if (!n->nlookup)
		handles_leave(o, n);
}

/* GETATTR against fstat of the file the nodeid named. */
static void compare_attr(struct fuzz_oracle *o, unsigned long long nodeid,
			 const struct fuse_words_out *out)
{
	struct node *n = node_find(o, nodeid);
	unsigned long long ino, size, nlink;
	struct stat st;
	int fd;

	if (!held(o, nodeid))
		return;
	fd = node_open(o, n, nodeid);
	if (fd < 0)
		return; /* gone from the host: a server that keeps an fd may still answer */
	if (fstat(fd, &st) < 0 || !number(fuse_words_field(out, "ino"), &ino) ||
	    !number(fuse_words_field(out, "size"), &size) || !number(fuse_words_field(out, "nlink"), &nlink)) {
		close(fd);
		return;
	}
	close(fd);
	if (ino != (unsigned long long)st.st_ino)
		verdict(o, ORACLE_DIFFERS, "getattr ino", "getattr %llu: ino %llu, the host file's is %llu",
			nodeid, ino, (unsigned long long)st.st_ino);
	else if (S_ISREG(st.st_mode) && size != (unsigned long long)st.st_size)
		verdict(o, ORACLE_DIFFERS, "getattr size", "getattr %llu: size %llu, the host says %llu",
			nodeid, size, (unsigned long long)st.st_size);
	else if (!S_ISDIR(st.st_mode) && nlink != (unsigned long long)st.st_nlink &&
		 !(o->exceptions & ORACLE_EXCEPT_HIDDEN_NLINK))
		verdict(o, ORACLE_DIFFERS, "getattr nlink", "getattr %llu: nlink %llu, the host says %llu",
			nodeid, nlink, (unsigned long long)st.st_nlink);
}

/* A LOOKUP that failed: ENOENT where the host has the name is a lie. */
static void lookup_failed(struct fuzz_oracle *o, unsigned long long parent, const char *name, int r)
{
	struct stat st;
	int dirfd, found;

	if (r != -ENOENT || !held(o, parent))
		return;
	dirfd = node_open(o, node_find(o, parent), parent);
	if (dirfd < 0)
		return;
	found = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		!((o->exceptions & ORACLE_EXCEPT_WHITEOUTS) && S_ISCHR(st.st_mode) && !st.st_rdev);
	close(dirfd);
	if (found)
		verdict(o, ORACLE_DIFFERS, "lookup ENOENT", "lookup %llu %s: ENOENT, but the host has it",
			parent, name);
}

void fuzz_oracle_observe(struct fuzz_oracle *o, const char *op, bool raw, int argc,
			 char **argv, int r, const struct fuse_words_out *out, const char *why)
{
	unsigned long long a = 0, b = 0;
	const char *v = out ? out->value.buf : "";

	char what[64];

	snprintf(what, sizeof(what), "%s%s", raw ? "raw " : "", op);
	if (r == -ETIMEDOUT || (raw && !r && !strcmp(v, "hang"))) {
		char site[80];

		snprintf(site, sizeof(site), "hang %s", what);
		verdict(o, ORACLE_ALIVE, site, "no reply to %s and nothing more answered", what);
	} else if (r == -EPIPE || (raw && !r && !strcmp(v, "gone"))) {
		char site[80];

		snprintf(site, sizeof(site), "gone %s", what);
		verdict(o, ORACLE_ALIVE, site, "the server hung up at %s", what);
	}
	if (r == -EPROTO)
		verdict(o, ORACLE_PROTOCOL, op, "%s%s: %s", raw ? "raw " : "", op, why ? why : "");
	if (raw || !out)
		return;
	if (argc >= 1)
		number(argv[0], &a);
	if (!strcmp(op, "forget") && argc == 2 && number(argv[1], &b) && !r) {
		forgot(o, a, b);
	} else if (!strcmp(op, "batch-forget") && !r) {
		for (int i = 0; i + 1 < argc; i += 2)
			if (number(argv[i], &a) && number(argv[i + 1], &b))
				forgot(o, a, b);
	} else if ((!strcmp(op, "lookup") || !strcmp(op, "create") || !strcmp(op, "mkdir") ||
		    !strcmp(op, "symlink")) && argc >= 2 && plain_name(argv[1])) {
		if (!r)
			took_entry(o, op, a, argv[1], out);
		else if (!strcmp(op, "lookup"))
			lookup_failed(o, a, argv[1], r);
	} else if (!strcmp(op, "link") && argc >= 3 && plain_name(argv[2]) && number(argv[1], &b)) {
		if (!r)
			took_entry(o, op, b, argv[2], out);
	} else if (!strcmp(op, "getattr") && !r) {
		compare_attr(o, a, out);
	}
}

struct live_walk {
	unsigned long long *nodeids, *counts;
	int n, max;
};

static void live_one(struct hash_link *l, void *arg)
{
	struct live_walk *w = arg;
	struct node *n = container_of(l, struct node, by_nodeid);

	if (n->nlookup && w->n < w->max) {
		w->nodeids[w->n] = n->nodeid;
		w->counts[w->n++] = n->nlookup;
	}
}

int fuzz_oracle_live(const struct fuzz_oracle *o, unsigned long long *nodeids,
		     unsigned long long *counts, int max)
{
	struct live_walk w = { nodeids, counts, 0, max };

	hash_table_each(&o->nodes, live_one, &w);
	return w.n;
}

/* The host path of what @nodeid names, into @buf; 0 or -errno. */
static int host_path_of(const struct fuzz_oracle *o, unsigned long long nodeid, char *buf,
			size_t len)
{
	char link[64];
	ssize_t n;
	int fd = node_open(o, node_find(o, nodeid), nodeid);

	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Whether path @a is @b or below it. */
static bool at_or_below(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && (!a[n] || a[n] == '/');
}

/* The type (S_IFMT) of @name in @parent, or of @parent without a name; 0 when unknown. */
static mode_t host_type(const struct fuzz_oracle *o, unsigned long long parent, const char *name)
{
	int fd = node_open(o, node_find(o, parent), parent);
	struct stat st;
	mode_t type = 0;

	if (fd < 0)
		return 0;
	if (!fstatat(fd, name ? name : "", &st, AT_SYMLINK_NOFOLLOW | (name ? 0 : AT_EMPTY_PATH)))
		type = st.st_mode & S_IFMT;
	close(fd);
	return type;
}

static bool held_match(const struct hash_link *l, const void *key)
{
	const struct node *n = container_of(l, struct node, by_handle);

	return n->nlookup > 0 && same_handle(&n->h, key);
}

/* Whether the client holds a nodeid for the host file @name in @parent. */
static bool child_held(const struct fuzz_oracle *o, unsigned long long parent, const char *name)
{
	int fd = node_open(o, node_find(o, parent), parent), mnt, r;
	union handle_buf h;

	if (fd < 0)
		return false;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	r = name_to_handle_at(fd, name, &h.fh, &mnt, 0);
	close(fd);
	return !r && hash_table_find(&o->handles, handle_hash_of(&h), held_match, &h);
}

/*
 * A request under a parent that is no directory, an UNLINK of a directory
 * or an RMDIR of anything else: the kernel has the types from its lookups
 * and answers ENOTDIR or EISDIR itself (may_delete, lookup_open). And an
 * UNLINK, RMDIR or RENAME of a name it holds no nodeid for: it sends the
 * LOOKUP first.
 */
static bool type_refused(const struct fuzz_oracle *o, const char *op, int argc, char **argv)
{
	static const char *const under_parent[] = { "lookup", "mkdir", "create", "mknod", "symlink",
						    "unlink", "rmdir", "rename", "link", NULL };
	unsigned long long parent;
	int at = !strcmp(op, "link") ? 1 : 0;
	mode_t type;
	int k;

	for (k = 0; under_parent[k] && strcmp(under_parent[k], op); k++)
		;
	if (!under_parent[k] || argc < at + 2 || !number(argv[at], &parent))
		return false;
	type = host_type(o, parent, NULL);
	if (type && type != S_IFDIR)
		return true;
	if (!plain_name(argv[at + 1]))
		return false;
	type = host_type(o, parent, argv[at + 1]);
	if ((!strcmp(op, "unlink") || !strcmp(op, "rmdir") || !strcmp(op, "rename")) &&
	    !child_held(o, parent, argv[at + 1]))
		return true; /* the kernel looks the victim up first: a LOOKUP, or ENOENT, comes before */
	/* A rename's target too, when there is one: the kernel holds what it replaces. */
	if (!strcmp(op, "rename") && argc >= 4 && number(argv[2], &parent) && plain_name(argv[3]) &&
	    host_type(o, parent, argv[3]) && !child_held(o, parent, argv[3]))
		return true;
	return (!strcmp(op, "unlink") && type == S_IFDIR) ||
	       (!strcmp(op, "rmdir") && type && type != S_IFDIR);
}

bool fuzz_oracle_kernel_refuses(const struct fuzz_oracle *o, const char *op, int argc,
				char **argv)
{
	unsigned long long p1, p2;
	char from[4096], to[4096];
	struct stat st;
	size_t n;
	int fd;

	if (type_refused(o, op, argc, argv))
		return true;
	if (strcmp(op, "rename") || argc < 4 || !number(argv[0], &p1) || !number(argv[2], &p2))
		return false;
	if (!plain_name(argv[1]) || !plain_name(argv[3]))
		return true;
	if (host_path_of(o, p1, from, sizeof(from) - 256) ||
	    host_path_of(o, p2, to, sizeof(to) - 256))
		return true; /* a parent the kernel could not have */
	fd = node_open(o, node_find(o, p1), p1);
	if (fd < 0 || fstatat(fd, argv[1], &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (fd >= 0)
			close(fd);
		return true; /* the kernel looks the source up first: ENOENT */
	}
	close(fd);
	n = strlen(from);
	snprintf(from + n, sizeof(from) - n, "/%s", argv[1]);
	n = strlen(to);
	snprintf(to + n, sizeof(to) - n, "/%s", argv[3]);
	/* lock_rename(): a source above the target is EINVAL, a target above the source ENOTEMPTY. */
	return at_or_below(to, from) || at_or_below(from, to);
}
