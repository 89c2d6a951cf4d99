/*
 * fuzz_oracle: each oracle's verdict from crafted replies against a real
 * directory (the host side is read for real: file handles, fstat), the
 * first verdict kept, the documented exception honoured, and what a
 * kernel would refuse to send.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz_oracle.h"
#include "../unit.h"

static struct fuzz_oracle *o;

static void setup(void)
{
	int err = 0;

	unit_tmpdir_make();
	o = NULL;
	if (geteuid() == 0)
		o = fuzz_oracle_new(unit_tmpdir, 0, &err);
}

static void teardown(void)
{
	fuzz_oracle_free(o);
	unit_tmpdir_remove();
}

static void touch(const char *name, const char *data)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", unit_tmpdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (int)strlen(data));
	close(fd);
}

/* A reply of an entry (or attributes) as fuse_words gives it. */
static void reply(struct fuse_words_out *out, unsigned long long nodeid, unsigned gen,
		  unsigned long long ino, unsigned long long size)
{
	char v[32];

	fuse_words_out_reset(out);
	snprintf(v, sizeof(v), "%llu", nodeid);
	strbuf_addstr(&out->value, v);
	out->nfields = 0;
#define F(k, fmt, x) do { out->field[out->nfields].key = k; \
	snprintf(out->field[out->nfields++].value, 64, fmt, x); } while (0)
	F("nodeid", "%llu", nodeid);
	F("generation", "%u", gen);
	F("ino", "%llu", ino);
	F("size", "%llu", size);
	F("nlink", "%u", 1u);
#undef F
}

static unsigned long long ino_of(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", unit_tmpdir, name);
	ck_assert_int_eq(lstat(p, &st), 0);
	return st.st_ino;
}

static void observe(const char *op, const char *w0, const char *w1, int r,
		    struct fuse_words_out *out)
{
	char *argv[] = { (char *)w0, (char *)w1, NULL };

	fuzz_oracle_observe(o, op, false, w1 ? 2 : 1, argv, r, out, NULL);
}

START_TEST(identity_live_and_reused)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	char *forget[] = { "7", "1" };

	if (!unit_have_root("file handles"))
		return;
	ck_assert_ptr_nonnull(o);
	touch("a", "1");
	touch("b", "2");
	reply(&out, 5, 1, ino_of("a"), 1);
	observe("lookup", "1", "a", 0, &out);
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_IDENTITY));
	reply(&out, 5, 2, ino_of("b"), 1);           /* another generation: another pair */
	observe("lookup", "1", "b", 0, &out);
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_IDENTITY));
	reply(&out, 5, 2, ino_of("a"), 1);           /* (5, 2) named b, now a, still looked up */
	observe("lookup", "1", "a", 0, &out);
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_IDENTITY), "identity lookup");
	ck_assert_ptr_nonnull(strstr(fuzz_oracle_text(o, ORACLE_IDENTITY), "still looked up"));
	fuzz_oracle_free(o);
	o = fuzz_oracle_new(unit_tmpdir, 0, &(int){ 0 });
	reply(&out, 7, 0, ino_of("a"), 1);
	observe("create", "1", "a", 0, &out);
	fuzz_oracle_observe(o, "forget", false, 2, forget, 0, &out, NULL);
	reply(&out, 7, 0, ino_of("b"), 1);           /* forgotten, back for b under the same pair */
	observe("lookup", "1", "b", 0, &out);
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_IDENTITY), "identity reused");
	ck_assert_int_eq(fuzz_oracle_count(o), 1);
	fuse_words_out_release(&out);
}
END_TEST

START_TEST(duplicate_unless_excepted)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	char a[512], c[512];
	int err = 0;

	if (!unit_have_root("file handles"))
		return;
	touch("a", "x");
	snprintf(a, sizeof(a), "%s/a", unit_tmpdir);
	snprintf(c, sizeof(c), "%s/c", unit_tmpdir);
	ck_assert_int_eq(link(a, c), 0);
	for (int except = 0; except < 2; except++) {
		fuzz_oracle_free(o);
		o = fuzz_oracle_new(unit_tmpdir, except ? ORACLE_EXCEPT_PER_NAME_NODES : 0, &err);
		ck_assert_ptr_nonnull(o);
		reply(&out, 2, 0, ino_of("a"), 1);
		observe("lookup", "1", "a", 0, &out);
		reply(&out, 3, 0, ino_of("c"), 1);   /* one file, a second live nodeid */
		observe("lookup", "1", "c", 0, &out);
		if (except)
			ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_DUPLICATE));
		else
			ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_DUPLICATE), "duplicate lookup");
	}
	/* Once the first is forgotten, a new nodeid for the file is no duplicate. */
	fuzz_oracle_free(o);
	o = fuzz_oracle_new(unit_tmpdir, 0, &err);
	reply(&out, 2, 0, ino_of("a"), 1);
	observe("lookup", "1", "a", 0, &out);
	fuzz_oracle_observe(o, "forget", false, 2, (char *[]){ "2", "1" }, 0, &out, NULL);
	reply(&out, 3, 0, ino_of("c"), 1);
	observe("lookup", "1", "c", 0, &out);
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_DUPLICATE));
	fuse_words_out_release(&out);
}
END_TEST

START_TEST(differs_from_the_host)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;

	if (!unit_have_root("file handles"))
		return;
	touch("f", "four");
	observe("lookup", "1", "f", -ENOENT, &out);  /* the host has f */
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_DIFFERS), "differs lookup ENOENT");
	fuzz_oracle_free(o);
	o = fuzz_oracle_new(unit_tmpdir, 0, &(int){ 0 });
	observe("lookup", "1", "nothing", -ENOENT, &out);
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_DIFFERS));
	reply(&out, 4, 0, ino_of("f"), 4);
	observe("lookup", "1", "f", 0, &out);
	reply(&out, 4, 0, ino_of("f"), 4);
	observe("getattr", "4", NULL, 0, &out);       /* as the host says: nothing */
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_DIFFERS));
	fuzz_oracle_observe(o, "forget", false, 2, (char *[]){ "4", "1" }, 0, &out, NULL);
	reply(&out, 4, 0, ino_of("f"), 9);
	observe("getattr", "4", NULL, 0, &out);       /* forgotten: the number may be another's */
	ck_assert_ptr_null(fuzz_oracle_site(o, ORACLE_DIFFERS));
	reply(&out, 4, 0, ino_of("f"), 4);
	observe("lookup", "1", "f", 0, &out);
	reply(&out, 4, 0, ino_of("f"), 9);
	observe("getattr", "4", NULL, 0, &out);
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_DIFFERS), "differs getattr size");
	fuse_words_out_release(&out);
}
END_TEST

START_TEST(alive_and_protocol)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	int err = 0;

	if (!o)
		o = fuzz_oracle_new(unit_tmpdir, 0, &err); /* needs no root: no handle is opened */
	ck_assert_ptr_nonnull(o);
	fuzz_oracle_observe(o, "getattr", false, 1, (char *[]){ "1" }, -EPROTO, &out,
			    "the reply names unique 9");
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_PROTOCOL), "protocol getattr");
	ck_assert_ptr_nonnull(strstr(fuzz_oracle_text(o, ORACLE_PROTOCOL), "unique 9"));
	strbuf_addstr(&out.value, "gone");
	fuzz_oracle_observe(o, "unique-zero", true, 0, NULL, 0, &out, NULL);
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_ALIVE), "alive gone raw unique-zero");
	fuzz_oracle_observe(o, "lookup", false, 2, (char *[]){ "1", "a" }, -ETIMEDOUT, &out, NULL);
	ck_assert_str_eq(fuzz_oracle_site(o, ORACLE_ALIVE), "alive gone raw unique-zero"); /* the first stands */
	ck_assert_int_eq(fuzz_oracle_count(o), 2);
	ck_assert_int_eq(fuzz_oracle_parse("identity"), ORACLE_IDENTITY);
	ck_assert_int_eq(fuzz_oracle_parse("nope"), -1);
	fuse_words_out_release(&out);
}
END_TEST

START_TEST(what_a_kernel_refuses)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	char d[512], e[512], x[512];

	if (!unit_have_root("file handles"))
		return;
	snprintf(d, sizeof(d), "%s/d", unit_tmpdir);
	snprintf(e, sizeof(e), "%s/d/e", unit_tmpdir);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	ck_assert_int_eq(mkdir(e, 0755), 0);
	snprintf(x, sizeof(x), "%s/d/e/x", unit_tmpdir);
	ck_assert_int_eq(mkdir(x, 0755), 0);
	reply(&out, 2, 0, ino_of("d"), 0);
	observe("lookup", "1", "d", 0, &out);
	reply(&out, 3, 0, ino_of("d/e"), 0);
	observe("lookup", "2", "e", 0, &out);
	/* d into d/e: a source above its target (EINVAL in lock_rename) */
	ck_assert(fuzz_oracle_kernel_refuses(o, "rename", 4, (char *[]){ "1", "d", "3", "x" }));
	/* d/e/x onto d: a target above its source (ENOTEMPTY) */
	ck_assert(fuzz_oracle_kernel_refuses(o, "rename", 4, (char *[]){ "3", "x", "1", "d" }));
	ck_assert(fuzz_oracle_kernel_refuses(o, "rename", 4, (char *[]){ "1", "gone", "1", "y" }));
	ck_assert(!fuzz_oracle_kernel_refuses(o, "rename", 4, (char *[]){ "2", "e", "1", "y" }));
	ck_assert(!fuzz_oracle_kernel_refuses(o, "lookup", 2, (char *[]){ "1", "d" }));
	fuse_words_out_release(&out);
}
END_TEST

/* Types and lookups: what a kernel sends UNLINK, RMDIR and entry requests for. */
START_TEST(what_a_kernel_sends_by_type)
{
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	char path[512];

	if (!unit_have_root("file handles"))
		return;
	snprintf(path, sizeof(path), "%s/d", unit_tmpdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/f", unit_tmpdir);
	ck_assert_int_eq(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	snprintf(path, sizeof(path), "%s/g", unit_tmpdir);
	ck_assert_int_eq(close(open(path, O_CREAT | O_WRONLY, 0644)), 0);
	reply(&out, 2, 0, ino_of("d"), 0);
	observe("lookup", "1", "d", 0, &out);
	reply(&out, 4, 0, ino_of("f"), 0);
	observe("lookup", "1", "f", 0, &out);
	ck_assert(fuzz_oracle_kernel_refuses(o, "rmdir", 2, (char *[]){ "1", "f" }));   /* ENOTDIR */
	ck_assert(!fuzz_oracle_kernel_refuses(o, "unlink", 2, (char *[]){ "1", "f" }));
	ck_assert(fuzz_oracle_kernel_refuses(o, "unlink", 2, (char *[]){ "1", "d" }));  /* EISDIR */
	ck_assert(!fuzz_oracle_kernel_refuses(o, "rmdir", 2, (char *[]){ "1", "d" }));
	ck_assert(fuzz_oracle_kernel_refuses(o, "lookup", 2, (char *[]){ "4", "x" }));  /* under a file */
	ck_assert(fuzz_oracle_kernel_refuses(o, "create", 2, (char *[]){ "4", "x" }));
	ck_assert(fuzz_oracle_kernel_refuses(o, "unlink", 2, (char *[]){ "1", "g" }));  /* a LOOKUP first */
	ck_assert(fuzz_oracle_kernel_refuses(o, "unlink", 2, (char *[]){ "1", "none" })); /* ENOENT first */
	fuse_words_out_release(&out);
}
END_TEST

UNIT_SUITE(fuzz_oracle_suite, "fuzz_oracle", setup, teardown,
	   identity_live_and_reused,
	   duplicate_unless_excepted,
	   differs_from_the_host,
	   alive_and_protocol,
	   what_a_kernel_refuses,
	   what_a_kernel_sends_by_type)
