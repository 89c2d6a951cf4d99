/*
 * fuse_words: a table of requests, each with its words and a function;
 * numbers are checked whole (a nodeid "2x" is refused, not read as 2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "fuse/client/fuse_words.h"
#include "fuse/client/raw_request.h"
#include "util/array.h"
#include "util/file_type.h"
#include "util/number.h"

struct word_op {
	const char *name;
	int min, max;
	const char *usage;
	int (*run)(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why);
};

void fuse_words_out_reset(struct fuse_words_out *o)
{
	strbuf_reset(&o->value);
	o->nfields = 0;
}

void fuse_words_out_release(struct fuse_words_out *o)
{
	strbuf_release(&o->value);
	o->nfields = 0;
}

const char *fuse_words_field(const struct fuse_words_out *o, const char *key)
{
	for (int i = 0; o && i < o->nfields; i++)
		if (!strcmp(o->field[i].key, key))
			return o->field[i].value;
	return NULL;
}

static void field(struct fuse_words_out *o, const char *key, unsigned long long v)
{
	if (o->nfields == FUSE_WORDS_MAX_FIELDS)
		return;
	o->field[o->nfields].key = key;
	snprintf(o->field[o->nfields++].value, sizeof(o->field[0].value), "%llu", v);
}

static void field_str(struct fuse_words_out *o, const char *key, const char *v)
{
	if (o->nfields == FUSE_WORDS_MAX_FIELDS)
		return;
	o->field[o->nfields].key = key;
	snprintf(o->field[o->nfields++].value, sizeof(o->field[0].value), "%s", v);
}

static int number(const char *w, unsigned long long max, unsigned long long *v, const char **why)
{
	int r = number_parse(w, max, v);

	if (r)
		*why = "a number was expected";
	return r;
}

static void attr_fields(struct fuse_words_out *o, const struct fuse_attr *a)
{
	field(o, "ino", a->ino);
	field(o, "size", a->size);
	field(o, "nlink", a->nlink);
	field(o, "mode", a->mode & 07777);
	field_str(o, "type", file_type_name(a->mode));
}

static void entry_fields(struct fuse_words_out *o, const struct fuse_entry_out *e)
{
	strbuf_addf(&o->value, "%llu", (unsigned long long)e->nodeid);
	field(o, "nodeid", e->nodeid);
	field(o, "generation", e->generation);
	attr_fields(o, &e->attr);
}

#define NUM(i, var, max) do { int _r = number(argv[i], (max), &(var), why); if (_r) return _r; } while (0)

static int w_init(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		  const char **why)
{
	unsigned long long minor = 0;
	int r;

	if (argc)
		NUM(0, minor, 1000);
	r = fc_init(c, (uint32_t)minor);
	if (r)
		return r;
	strbuf_addf(&o->value, "%u", c->minor);
	field(o, "major", c->major);
	field(o, "minor", c->minor);
	field(o, "max_write", c->max_write);
	field(o, "flags", c->flags);
	field(o, "offered", c->offered);
	return 0;
}

static int w_destroy(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	(void)argc, (void)argv, (void)why;
	strbuf_addf(&o->value, "ok");
	return fc_destroy(c);
}

static int w_lookup(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	unsigned long long parent;
	struct fuse_entry_out e;
	int r;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	r = fc_lookup(c, parent, argv[1], &e);
	if (!r)
		entry_fields(o, &e);
	return r;
}

static int w_forget(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	unsigned long long node, n;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	NUM(1, n, UINT64_MAX);
	strbuf_addf(&o->value, "ok");
	return fc_forget(c, node, n);
}

static int w_batch_forget(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
			  const char **why)
{
	struct fuse_forget_one f[16];
	unsigned long long v;

	if (argc % 2) {
		*why = "pairs of NODEID NLOOKUP";
		return -EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		NUM(i, v, UINT64_MAX);
		f[i / 2].nodeid = v;
		NUM(i + 1, v, UINT64_MAX);
		f[i / 2].nlookup = v;
	}
	strbuf_addf(&o->value, "ok");
	return fc_batch_forget(c, f, (uint32_t)argc / 2);
}

static int w_getattr(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long node;
	struct fuse_attr_out a;
	int r;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	r = fc_getattr(c, node, &a);
	if (!r) {
		strbuf_addf(&o->value, "%llu", (unsigned long long)a.attr.ino);
		attr_fields(o, &a.attr);
	}
	return r;
}

static int w_setattr(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	struct fuse_setattr_in in = { 0 };
	unsigned long long node, v;
	struct fuse_attr_out a;
	int r;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	NUM(2, v, UINT64_MAX);
	if (!strcmp(argv[1], "size")) {
		in.valid = FATTR_SIZE;
		in.size = v;
	} else if (!strcmp(argv[1], "mode")) {
		in.valid = FATTR_MODE;
		in.mode = (uint32_t)v;
	} else {
		*why = "setattr NODEID size|mode VALUE";
		return -EINVAL;
	}
	r = fc_setattr(c, node, &in, &a);
	if (!r) {
		strbuf_addf(&o->value, "ok");
		attr_fields(o, &a.attr);
	}
	return r;
}

static int open_flags(int argc, char **argv, int at, uint32_t *flags, const char **why)
{
	if (argc <= at || !strcmp(argv[at], "ro"))
		*flags = O_RDONLY;
	else if (!strcmp(argv[at], "rw"))
		*flags = O_RDWR;
	else if (!strcmp(argv[at], "wo"))
		*flags = O_WRONLY;
	else {
		*why = "ro, rw or wo";
		return -EINVAL;
	}
	return 0;
}

static int w_open(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		  const char **why)
{
	unsigned long long node;
	uint32_t flags;
	uint64_t fh;
	int r;

	NUM(0, node, UINT64_MAX);
	r = open_flags(argc, argv, 1, &flags, why);
	if (!r)
		r = fc_open(c, node, flags, &fh, false);
	if (!r)
		strbuf_addf(&o->value, "%llu", (unsigned long long)fh);
	return r;
}

static int w_release(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long node, fh;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	NUM(1, fh, UINT64_MAX);
	strbuf_addf(&o->value, "ok");
	return fc_release(c, node, fh, 0, false);
}

/* READ through a handle OPEN gave earlier: what it has open, whatever the name is now. */
static int w_read_fh(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long node, fh, size = 4096, off = 0;
	size_t n;
	char *buf;
	int r;

	NUM(0, node, UINT64_MAX);
	NUM(1, fh, UINT64_MAX);
	if (argc > 2)
		NUM(2, size, 128 << 10);
	if (argc > 3)
		NUM(3, off, INT64_MAX);
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	r = fc_read(c, node, fh, off, (uint32_t)size, buf, &n);
	if (!r) {
		buf[n] = '\0';
		strbuf_addstr(&o->value, buf);
		field(o, "bytes", n);
	}
	free(buf);
	return r;
}

static int w_read(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		  const char **why)
{
	unsigned long long node, size = 4096, off = 0;
	uint64_t fh;
	size_t n;
	char *buf;
	int r, r2;

	NUM(0, node, UINT64_MAX);
	if (argc > 1)
		NUM(1, size, 128 << 10);
	if (argc > 2)
		NUM(2, off, INT64_MAX);
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	r = fc_open(c, node, O_RDONLY, &fh, false);
	if (!r) {
		r = fc_read(c, node, fh, off, (uint32_t)size, buf, &n);
		r2 = fc_release(c, node, fh, O_RDONLY, false);
		r = r ? r : r2;
	}
	if (!r) {
		buf[n] = '\0';
		strbuf_addstr(&o->value, buf);
		field(o, "bytes", n);
	}
	free(buf);
	return r;
}

static int w_write(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why)
{
	unsigned long long node;
	uint32_t written = 0;
	uint64_t fh;
	int r, r2;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	r = fc_open(c, node, O_WRONLY | O_TRUNC, &fh, false);
	if (!r) {
		r = fc_write(c, node, fh, 0, argv[1], (uint32_t)strlen(argv[1]), &written);
		r2 = fc_release(c, node, fh, O_WRONLY, false);
		r = r ? r : r2;
	}
	if (!r)
		strbuf_addf(&o->value, "%u", written);
	return r;
}

static int w_create(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	unsigned long long parent;
	struct fuse_entry_out e;
	uint64_t fh;
	int r;

	NUM(0, parent, UINT64_MAX);
	if (argc > 2 && strcmp(argv[2], "noexcl")) {
		*why = "create: the third word is noexcl or nothing";
		return -EINVAL;
	}
	/* noexcl: open(O_CREAT) of a name that may exist, as a guest's stale negative dentry does. */
	r = fc_create(c, parent, argv[1], S_IFREG | 0644,
		      O_RDWR | O_CREAT | (argc > 2 ? 0 : O_EXCL), &e, &fh);
	if (!r)
		r = fc_release(c, e.nodeid, fh, O_RDWR, false);
	if (!r)
		entry_fields(o, &e);
	return r;
}

static int w_mkdir(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why)
{
	unsigned long long parent;
	struct fuse_entry_out e;
	int r;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	r = fc_mkdir(c, parent, argv[1], 0755, &e);
	if (!r)
		entry_fields(o, &e);
	return r;
}

static int w_unlink(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	unsigned long long parent;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	strbuf_addf(&o->value, "ok");
	return fc_unlink(c, parent, argv[1]);
}

static int w_rmdir(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why)
{
	unsigned long long parent;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	strbuf_addf(&o->value, "ok");
	return fc_rmdir(c, parent, argv[1]);
}

static int w_rename(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	unsigned long long p, np;
	uint32_t flags = 0;

	NUM(0, p, UINT64_MAX);
	NUM(2, np, UINT64_MAX);
	if (argc > 4 && !strcmp(argv[4], "noreplace"))
		flags = 1; /* RENAME_NOREPLACE */
	else if (argc > 4 && !strcmp(argv[4], "exchange"))
		flags = 2; /* RENAME_EXCHANGE */
	else if (argc > 4) {
		*why = "noreplace or exchange";
		return -EINVAL;
	}
	strbuf_addf(&o->value, "ok");
	return fc_rename(c, p, argv[1], np, argv[3], flags);
}

static int w_link(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		  const char **why)
{
	unsigned long long node, np;
	struct fuse_entry_out e;
	int r;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	NUM(1, np, UINT64_MAX);
	r = fc_link(c, node, np, argv[2], &e);
	if (!r)
		entry_fields(o, &e);
	return r;
}

static int w_symlink(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long parent;
	struct fuse_entry_out e;
	int r;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	r = fc_symlink(c, parent, argv[1], argv[2], &e);
	if (!r)
		entry_fields(o, &e);
	return r;
}

static int w_readlink(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		      const char **why)
{
	unsigned long long node;
	char buf[4097];
	int r;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	r = fc_readlink(c, node, buf, sizeof(buf));
	if (!r)
		strbuf_addstr(&o->value, buf);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names from READDIR(PLUS) records into @names (malloc'd); how many, or -EPROTO. */
static int dirents(struct fuse_client *c, const char *buf, size_t n, bool plus, char ***names,
		   int *count, size_t *cap, uint64_t *next_off)
{
	size_t at = 0;

	while (at < n) {
		const struct fuse_dirent *d;
		size_t rec;

		if (plus) {
			const struct fuse_direntplus *dp = (const void *)(buf + at);

			if (n - at < FUSE_NAME_OFFSET_DIRENTPLUS)
				break;
			d = &dp->dirent;
			rec = FUSE_DIRENTPLUS_SIZE(dp);
			if (FUSE_NAME_OFFSET_DIRENTPLUS + d->namelen > n - at || rec > n - at)
				break;
		} else {
			d = (const void *)(buf + at);
			if (n - at < FUSE_NAME_OFFSET)
				break;
			rec = FUSE_DIRENT_SIZE(d);
			if (FUSE_NAME_OFFSET + d->namelen > n - at || rec > n - at)
				break;
		}
		if (!d->namelen) {
			snprintf(c->why, sizeof(c->why), "a directory entry with an empty name");
			return -EPROTO;
		}
		*next_off = d->off;
		if (!(d->namelen == 1 && d->name[0] == '.') &&
		    !(d->namelen == 2 && !memcmp(d->name, "..", 2))) {
			char *name = strndup(d->name, d->namelen);

			if (!name || ARRAY_GROW(*names, (size_t)*count + 1, *cap)) {
				free(name);
				return -ENOMEM;
			}
			(*names)[(*count)++] = name;
		}
		at += rec;
	}
	if (at != n) {
		snprintf(c->why, sizeof(c->why), "a directory record runs past the reply");
		return -EPROTO;
	}
	return 0;
}

static int w_readdir(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long node;
	bool plus = argc > 1 && !strcmp(argv[1], "plus");
	char **names = NULL, *buf = malloc(64 << 10);
	int count = 0, r, r2, rounds = 0;
	uint64_t fh, off = 0;
	size_t n, cap = 0;

	if (!buf)
		return -ENOMEM;
	if (argc > 1 && !plus) {
		free(buf);
		*why = "readdir NODEID [plus]";
		return -EINVAL;
	}
	r = number(argv[0], UINT64_MAX, &node, why);
	if (!r)
		r = fc_open(c, node, O_RDONLY, &fh, true);
	if (r) {
		free(buf);
		return r;
	}
	do {
		r = fc_readdir(c, node, fh, off, 64 << 10, plus, buf, &n);
		if (!r && n)
			r = dirents(c, buf, n, plus, &names, &count, &cap, &off);
	} while (!r && n && ++rounds < 10000);
	r2 = fc_release(c, node, fh, O_RDONLY, true);
	r = r ? r : r2;
	if (count) /* qsort(NULL, 0) is undefined: a directory with no entries, or none read */
		qsort(names, (size_t)count, sizeof(char *), cmp_str);
	for (int i = 0; i < count; i++) {
		if (!r)
			strbuf_addf(&o->value, "%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	free(names);
	free(buf);
	if (!r)
		field(o, "entries", (unsigned long long)count);
	return r;
}

static int w_statfs(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		    const char **why)
{
	struct fuse_statfs_out s;
	int r;

	(void)argc, (void)argv, (void)why;
	r = fc_statfs(c, 1, &s);
	if (!r) {
		strbuf_addf(&o->value, "%u", s.st.namelen);
		field(o, "namelen", s.st.namelen);
		field(o, "bsize", s.st.bsize);
		field(o, "blocks", s.st.blocks);
		field(o, "files", s.st.files);
	}
	return r;
}

static int w_watch(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why)
{
	unsigned long long node;

	(void)argc;
	NUM(0, node, UINT64_MAX);
	strbuf_addf(&o->value, "ok");
	return fc_watch(c, node, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO, false);
}

/* STATX of @node (its basic stats and birth time), or through open file FH. */
static int w_statx(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		   const char **why)
{
	unsigned long long node, fh = 0;
	struct vfs_fuse_statx_out x;
	int r;

	NUM(0, node, UINT64_MAX);
	if (argc > 1)
		NUM(1, fh, UINT64_MAX);
	r = fc_statx(c, node, fh, STATX_BASIC_STATS | STATX_BTIME, &x);
	if (r)
		return r;
	strbuf_addf(&o->value, "%llu", (unsigned long long)x.stat.ino);
	field(o, "ino", x.stat.ino);
	field(o, "size", x.stat.size);
	field(o, "nlink", x.stat.nlink);
	field(o, "mode", x.stat.mode & 07777);
	field_str(o, "type", file_type_name(x.stat.mode));
	field(o, "uid", x.stat.uid);
	field(o, "gid", x.stat.gid);
	field(o, "mask", x.stat.mask);
	field_str(o, "btime", x.stat.mask & STATX_BTIME ? "yes" : "no");
	field(o, "mtime", (unsigned long long)x.stat.mtime.tv_sec);
	return 0;
}

/* TMPFILE in @parent: the new nodeid, its file left open (fh): linked or forgotten later. */
static int w_tmpfile(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		     const char **why)
{
	unsigned long long parent;
	struct fuse_entry_out e;
	uint64_t fh;
	int r;

	(void)argc;
	NUM(0, parent, UINT64_MAX);
	r = fc_tmpfile(c, parent, S_IFREG | 0600, O_RDWR, &e, &fh);
	if (!r) {
		entry_fields(o, &e);
		field(o, "fh", fh);
	}
	return r;
}

/* COPY_FILE_RANGE (or _64) between two nodes, each opened for it and released after. */
static int w_copy_range(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
			const char **why)
{
	unsigned long long in_node, in_off, out_node, out_off, len;
	struct fuse_copy_file_range_in in = { 0 };
	uint64_t in_fh, out_fh, copied = 0;
	bool wide = argc > 5;
	int r, r2;

	NUM(0, in_node, UINT64_MAX);
	NUM(1, in_off, INT64_MAX);
	NUM(2, out_node, UINT64_MAX);
	NUM(3, out_off, INT64_MAX);
	NUM(4, len, UINT64_MAX);
	if (wide && strcmp(argv[5], "64")) {
		*why = "copy-range: the sixth word is 64 or nothing";
		return -EINVAL;
	}
	r = fc_open(c, in_node, O_RDONLY, &in_fh, false);
	if (r)
		return r;
	r = fc_open(c, out_node, O_WRONLY, &out_fh, false);
	if (!r) {
		in = (struct fuse_copy_file_range_in){ .fh_in = in_fh, .off_in = in_off,
						       .nodeid_out = out_node, .fh_out = out_fh,
						       .off_out = out_off, .len = len };
		r = fc_copy_file_range(c, &in, in_node, wide, &copied);
		r2 = fc_release(c, out_node, out_fh, O_WRONLY, false);
		r = r ? r : r2;
	}
	r2 = fc_release(c, in_node, in_fh, O_RDONLY, false);
	r = r ? r : r2;
	if (!r)
		strbuf_addf(&o->value, "%llu", (unsigned long long)copied);
	return r;
}

/* Whether the server took INIT flag NAME (offered, and set in its reply): yes or no. */
static int w_took(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		  const char **why)
{
	static const struct { const char *name; uint64_t bit; } flags[] = {
		{ "EXPORT_SUPPORT", FUSE_EXPORT_SUPPORT }, { "WRITEBACK_CACHE", FUSE_WRITEBACK_CACHE },
		{ "DO_READDIRPLUS", FUSE_DO_READDIRPLUS }, { "POSIX_ACL", FUSE_POSIX_ACL },
		{ "SUBMOUNTS", FUSE_SUBMOUNTS }, { "HANDLE_KILLPRIV_V2", FUSE_HANDLE_KILLPRIV_V2 },
		{ "SETXATTR_EXT", FUSE_SETXATTR_EXT }, { "SECURITY_CTX", FUSE_SECURITY_CTX },
		{ "CREATE_SUPP_GROUP", FUSE_CREATE_SUPP_GROUP },
		{ "DIRECT_IO_ALLOW_MMAP", FUSE_DIRECT_IO_ALLOW_MMAP },
		{ "NO_EXPORT_SUPPORT", FUSE_NO_EXPORT_SUPPORT }, { "HAS_RESEND", FUSE_HAS_RESEND },
		{ "ALLOW_IDMAP", FUSE_ALLOW_IDMAP },
	};

	(void)argc;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(argv[0], flags[i].name)) {
			strbuf_addstr(&o->value, c->flags & c->offered & flags[i].bit ? "yes" : "no");
			return 0;
		}
	*why = "took: not an INIT flag this client knows (CREATE_SUPP_GROUP, SECURITY_CTX, ...)";
	return -EINVAL;
}

static const struct word_op ops[] = {
	{ "init", 0, 1, "init [MINOR]", w_init },
	{ "destroy", 0, 0, "destroy", w_destroy },
	{ "took", 1, 1, "took FLAG (an INIT flag, as CREATE_SUPP_GROUP: yes or no)", w_took },
	{ "lookup", 2, 2, "lookup PARENT NAME", w_lookup },
	{ "forget", 2, 2, "forget NODEID NLOOKUP", w_forget },
	{ "batch-forget", 2, 32, "batch-forget NODEID NLOOKUP [NODEID NLOOKUP...]", w_batch_forget },
	{ "getattr", 1, 1, "getattr NODEID", w_getattr },
	{ "setattr", 3, 3, "setattr NODEID size|mode VALUE", w_setattr },
	{ "open", 1, 2, "open NODEID [ro|rw|wo]", w_open },
	{ "release", 2, 2, "release NODEID FH", w_release },
	{ "read", 1, 3, "read NODEID [SIZE [OFFSET]]", w_read },
	{ "read-fh", 2, 4, "read-fh NODEID FH [SIZE [OFFSET]] (an open handle)", w_read_fh },
	{ "write", 2, 2, "write NODEID DATA", w_write },
	{ "create", 2, 3, "create PARENT NAME [noexcl]", w_create },
	{ "mkdir", 2, 2, "mkdir PARENT NAME", w_mkdir },
	{ "unlink", 2, 2, "unlink PARENT NAME", w_unlink },
	{ "rmdir", 2, 2, "rmdir PARENT NAME", w_rmdir },
	{ "rename", 4, 5, "rename PARENT NAME NEWPARENT NEWNAME [noreplace|exchange]", w_rename },
	{ "link", 3, 3, "link NODEID NEWPARENT NAME", w_link },
	{ "symlink", 3, 3, "symlink PARENT NAME TARGET", w_symlink },
	{ "readlink", 1, 1, "readlink NODEID", w_readlink },
	{ "readdir", 1, 2, "readdir NODEID [plus]", w_readdir },
	{ "statfs", 0, 0, "statfs", w_statfs },
	{ "statx", 1, 2, "statx NODEID [FH] (7.39)", w_statx },
	{ "tmpfile", 1, 1, "tmpfile PARENT (7.37; its file stays open)", w_tmpfile },
	{ "copy-range", 5, 6, "copy-range NODEID OFFSET NODEID OFFSET LENGTH [64] (64: 7.45)",
	  w_copy_range },
	{ "watch", 1, 1, "watch NODEID (vfskit's WATCH: notify_proto.h)", w_watch },
	{ NULL, 0, 0, NULL, NULL },
};

/* Raw requests: the malformed and lifecycle set. */
static int r_run(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		 const char **why);

static const struct word_op raw_ops[] = {
	{ "unique-zero", 0, 0, "unique-zero", r_run },
	{ "short-header", 0, 0, "short-header", r_run },
	{ "len-short", 0, 0, "len-short", r_run },
	{ "len-long", 0, 0, "len-long", r_run },
	{ "opcode", 1, 1, "opcode NUMBER", r_run },
	{ "short-input", 0, 0, "short-input", r_run },
	{ "name-unterminated", 0, 0, "name-unterminated", r_run },
	{ "getattr-on-hiprio", 0, 0, "getattr-on-hiprio", r_run },
	{ "forget-on-request", 2, 2, "forget-on-request NODEID NLOOKUP", r_run },
	{ "batch-forget-lie", 0, 0, "batch-forget-lie", r_run },
	{ "init-again", 0, 0, "init-again", r_run },
	{ "zero-length", 0, 0, "zero-length", r_run },
	{ "writable-first", 0, 0, "writable-first", r_run },
	{ "no-reply-room", 0, 0, "no-reply-room", r_run },
	{ "outside", 0, 0, "outside", r_run },
	{ "disconnect", 0, 0, "disconnect", r_run },
	{ "send", 2, FUSE_WORDS_MAX_ARGS, RAW_SEND_USAGE, r_run },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct word_op *find(const char *op, bool raw)
{
	for (const struct word_op *w = raw ? raw_ops : ops; w->name; w++)
		if (!strcmp(w->name, op))
			return w;
	return NULL;
}

const char *fuse_words_usage(const char *op, bool raw)
{
	const struct word_op *w = find(op, raw);

	return w ? w->usage : NULL;
}

bool fuse_words_check(const char *op, bool raw, int argc, char **argv, const char **why)
{
	const struct word_op *w = find(op, raw);

	*why = w ? w->usage : raw ? "an unknown raw request" : "an unknown request";
	if (!w || argc < w->min || argc > w->max)
		return false;
	if (raw && argv && !strcmp(op, "send"))
		return !raw_request_check(argc, argv, why);
	return true;
}

void fuse_words_list(FILE *f)
{
	for (const struct word_op *w = ops; w->name; w++)
		fprintf(f, "  %s\n", w->usage);
	for (const struct word_op *w = raw_ops; w->name; w++)
		fprintf(f, "  raw %s\n", w->usage);
}

int fuse_words_run(struct fuse_client *c, const char *op, bool raw, int argc, char **argv,
		   struct fuse_words_out *out, const char **why)
{
	const struct word_op *w = find(op, raw);

	fuse_words_out_reset(out);
	if (!fuse_words_check(op, raw, argc, NULL, why))
		return -EINVAL;
	*why = NULL; /* from here on, set only for words that do not fit */
	if (raw) {
		char *args[FUSE_WORDS_MAX_ARGS + 1];

		/* r_run takes the raw request's own name first. */
		args[0] = (char *)w->name;
		for (int i = 0; i < argc && i < FUSE_WORDS_MAX_ARGS; i++)
			args[i + 1] = argv[i];
		return w->run(c, argc + 1, args, out, why);
	}
	return w->run(c, argc, argv, out, why);
}

/* A request header and its input, built by hand. */
struct raw_req {
	struct fuse_in_header h;
	char in[256];
};

static size_t raw_getattr(struct fuse_client *c, struct raw_req *q)
{
	struct fuse_getattr_in g = { 0 };

	memset(q, 0, sizeof(*q));
	q->h = (struct fuse_in_header){ .len = sizeof(q->h) + sizeof(g), .opcode = FUSE_GETATTR,
				       .unique = fc_next_unique(c), .nodeid = FUSE_ROOT_ID };
	memcpy(q->in, &g, sizeof(g));
	return q->h.len;
}

/* After a request that got nothing: "no-reply" if the daemon still answers a GETATTR of the root, else "gone" or "hang". */
static const char *probe(struct fuse_client *c)
{
	struct fuse_attr_out a;
	int r = fc_getattr(c, FUSE_ROOT_ID, &a);

	return r == -EPIPE ? "gone" : r == -ETIMEDOUT ? "hang" : "no-reply";
}

static int raw_outcome(struct fuse_client *c, int r, const struct fuse_raw_result *res,
		       struct fuse_words_out *o, const char **why);

static int r_run(struct fuse_client *c, int argc, char **argv, struct fuse_words_out *o,
		 const char **why)
{
	const char *k = argv[0];
	enum fuse_chain_fault fault = CHAIN_OK;
	enum fuse_queue queue = FUSE_QUEUE_REQUEST;
	struct fuse_raw_result res;
	struct raw_req q;
	size_t len = raw_getattr(c, &q), reply = 256;
	unsigned long long v;
	int r;

	(void)argc; /* checked against the table already */
	if (!strcmp(k, "unique-zero")) {
		q.h.unique = 0;
	} else if (!strcmp(k, "short-header")) {
		len = 20;
	} else if (!strcmp(k, "len-short")) {
		q.h.len -= 8;
	} else if (!strcmp(k, "len-long")) {
		q.h.len += 64;
	} else if (!strcmp(k, "opcode")) {
		NUM(1, v, UINT32_MAX);
		q.h.opcode = (uint32_t)v;
	} else if (!strcmp(k, "short-input")) {
		/* A READ with 4 of its 40 bytes of input. */
		q.h.opcode = FUSE_READ;
		q.h.len = sizeof(q.h) + 4;
		len = q.h.len;
	} else if (!strcmp(k, "name-unterminated")) {
		q.h.opcode = FUSE_LOOKUP;
		memset(q.in, 'a', 16);
		q.h.len = sizeof(q.h) + 16;
		len = q.h.len;
	} else if (!strcmp(k, "getattr-on-hiprio")) {
		queue = FUSE_QUEUE_HIPRIO;
	} else if (!strcmp(k, "forget-on-request")) {
		struct fuse_forget_in f;

		NUM(1, v, UINT64_MAX);
		q.h.nodeid = v;
		NUM(2, v, UINT64_MAX);
		f.nlookup = v;
		q.h.opcode = FUSE_FORGET;
		memcpy(q.in, &f, sizeof(f));
		q.h.len = sizeof(q.h) + sizeof(f);
		len = q.h.len;
		reply = 0;
	} else if (!strcmp(k, "batch-forget-lie")) {
		/* It says 1000 entries and sends one, of a nodeid never given. */
		struct fuse_batch_forget_in b = { .count = 1000 };
		struct fuse_forget_one one = { .nodeid = 0xdead, .nlookup = 1 };

		q.h.opcode = FUSE_BATCH_FORGET;
		q.h.nodeid = 0;
		memcpy(q.in, &b, sizeof(b));
		memcpy(q.in + sizeof(b), &one, sizeof(one));
		q.h.len = sizeof(q.h) + sizeof(b) + sizeof(one);
		len = q.h.len;
		queue = FUSE_QUEUE_HIPRIO;
		reply = 0;
	} else if (!strcmp(k, "init-again")) {
		struct fuse_init_in in = { .major = FUSE_KERNEL_VERSION, .minor = FUSE_CLIENT_MINOR,
					   .max_readahead = 128 << 10 };

		q.h.opcode = FUSE_INIT;
		q.h.nodeid = 0;
		memcpy(q.in, &in, sizeof(in));
		q.h.len = sizeof(q.h) + sizeof(in);
		len = q.h.len;
	} else if (!fuse_chain_fault_parse(k, &fault)) {
		/* zero-length, writable-first, no-reply-room, outside: a GETATTR on that chain */
	} else if (!strcmp(k, "send")) {
		struct raw_request *rq = malloc(sizeof(*rq));

		if (!rq)
			return -ENOMEM;
		r = raw_request_parse(c, argc - 1, argv + 1, rq, why);
		if (!r)
			r = fc_raw(c, rq->queue, rq->buf, rq->len, rq->reply_max, rq->fault, &res);
		free(rq);
		return raw_outcome(c, r, &res, o, why);
	} else if (!strcmp(k, "disconnect")) {
		if (!c->t)
			return -EPIPE;
		/* A GETATTR left in flight; the caller hangs up next (fuse_target_disconnect). */
		r = c->t->send(c->t, queue, &q, len, reply, q.h.unique, CHAIN_OK);
		if (!r)
			strbuf_addf(&o->value, "ok");
		return r == -EPIPE ? 0 : r;
	}
	r = fc_raw(c, queue, &q, len, reply, fault, &res);
	return raw_outcome(c, r, &res, o, why);
}

/* What a raw request's result (@r from fc_raw, then @res) says, as its value. */
static int raw_outcome(struct fuse_client *c, int r, const struct fuse_raw_result *res,
		       struct fuse_words_out *o, const char **why)
{
	if (r == -EINVAL && *why)
		return r; /* words that did not fit */
	if (r == -EOPNOTSUPP)
		*why = "this transport cannot make that descriptor chain (vhost-user only)";
	if (r == -ERANGE)
		*why = "no such request queue: fewer were set up (vfs-fuse --request-queues)";
	if (r)
		return r;
	if (res->what == RAW_REPLY && res->len >= sizeof(struct fuse_out_header) && res->error < 0 &&
	    res->error > -4096)
		return res->error;
	if (res->what == RAW_REPLY)
		strbuf_addf(&o->value, "ok");
	else if (res->what == RAW_GONE)
		strbuf_addf(&o->value, "gone");
	else if (res->what == RAW_NO_REPLY && c->t->noreply_completes)
		strbuf_addf(&o->value, "no-reply"); /* the chain came back empty */
	else
		strbuf_addstr(&o->value, probe(c));
	if (res->what == RAW_REPLY)
		field(o, "bytes", res->len);
	return 0;
}
