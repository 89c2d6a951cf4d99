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
#include "fuzz/oracle_table.h"
#include "util/hash_table.h"
#include "util/number.h"
#include "util/handle_text.h"
#include "util/strbuf.h"

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

uint64_t oracle_handle_hash(const union handle_buf *h)
{
	return hash_bytes(h->fh.f_handle, h->fh.handle_bytes, (uint64_t)h->fh.handle_type);
}

static uint64_t handle_hash(const struct hash_link *l)
{
	return oracle_handle_hash(&container_of(l, struct node, by_handle)->h);
}

bool oracle_same_handle(const union handle_buf *a, const union handle_buf *b)
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

	return n != k->self && n->mnt == k->self->mnt && oracle_same_handle(&n->h, k->h);
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

struct node *oracle_node_find(const struct fuzz_oracle *o, unsigned long long nodeid)
{
	struct hash_link *l = hash_table_find(&o->nodes, hash_bytes(&nodeid, sizeof(nodeid), 0),
					      node_match, &nodeid);

	return l ? container_of(l, struct node, by_nodeid) : NULL;
}

static struct node *node_get(struct fuzz_oracle *o, unsigned long long nodeid)
{
	struct node *n = oracle_node_find(o, nodeid);

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
	hash_table_insert(&o->handles, &n->by_handle, oracle_handle_hash(&n->h));
	n->in_handles = true;
}

/* An fd on the host file @n named (O_PATH), or -errno (-ESTALE: it is gone). */
int oracle_node_open(const struct fuzz_oracle *o, const struct node *n, unsigned long long nodeid)
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
	const struct node *n = oracle_node_find(o, nodeid);

	return nodeid == FUSE_ROOT_ID || (n && n->nlookup > 0);
}

bool oracle_plain_name(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s < ' ')
			return false;
	return true;
}

bool oracle_number(const char *w, unsigned long long *v)
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

	if (!oracle_number(fuse_words_field(out, "nodeid"), &nodeid) || !oracle_number(fuse_words_field(out, "generation"), &gen))
		return;
	if (!held(o, parent)) {
		/* An entry under a parent it forgot: counted, not judged. */
		n = node_get(o, nodeid);
		if (n)
			n->nlookup++;
		return;
	}
	dirfd = oracle_node_open(o, oracle_node_find(o, parent), parent);
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
	if (n->has_handle && n->generation == gen && (n->mnt != mnt || !oracle_same_handle(&n->h, &h))) {
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
	l = hash_table_find(&o->handles, oracle_handle_hash(&n->h), other_match, &key);
	if (l && !(o->exceptions & ORACLE_EXCEPT_PER_NAME_NODES))
		verdict(o, ORACLE_DUPLICATE, op, "host file %s has two live nodeids, %llu and %llu (%s %llu %s)",
			now, container_of(l, struct node, by_handle)->nodeid, nodeid, op, parent, name);
}

static void forgot(struct fuzz_oracle *o, unsigned long long nodeid, unsigned long long count)
{
	struct node *n = oracle_node_find(o, nodeid);

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
	struct node *n = oracle_node_find(o, nodeid);
	unsigned long long ino, size, nlink;
	struct stat st;
	int fd;

	if (!held(o, nodeid))
		return;
	fd = oracle_node_open(o, n, nodeid);
	if (fd < 0)
		return; /* gone from the host: a server that keeps an fd may still answer */
	if (fstat(fd, &st) < 0 || !oracle_number(fuse_words_field(out, "ino"), &ino) ||
	    !oracle_number(fuse_words_field(out, "size"), &size) || !oracle_number(fuse_words_field(out, "nlink"), &nlink)) {
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
	dirfd = oracle_node_open(o, oracle_node_find(o, parent), parent);
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
		oracle_number(argv[0], &a);
	if (!strcmp(op, "forget") && argc == 2 && oracle_number(argv[1], &b) && !r) {
		forgot(o, a, b);
	} else if (!strcmp(op, "batch-forget") && !r) {
		for (int i = 0; i + 1 < argc; i += 2)
			if (oracle_number(argv[i], &a) && oracle_number(argv[i + 1], &b))
				forgot(o, a, b);
	} else if ((!strcmp(op, "lookup") || !strcmp(op, "create") || !strcmp(op, "mkdir") ||
		    !strcmp(op, "symlink")) && argc >= 2 && oracle_plain_name(argv[1])) {
		if (!r)
			took_entry(o, op, a, argv[1], out);
		else if (!strcmp(op, "lookup"))
			lookup_failed(o, a, argv[1], r);
	} else if (!strcmp(op, "link") && argc >= 3 && oracle_plain_name(argv[2]) && oracle_number(argv[1], &b)) {
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
