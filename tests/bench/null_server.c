/*
 * null_server: a do-nothing low-level FUSE server, the floor of any FUSE
 * server on this kernel. It serves a synthetic tree from memory (DIRS
 * directories of FILES files of SIZE bytes of zeros), accepts creates of
 * names cN and unlinks without keeping anything, and holds no fds at all.
 *
 * usage: null_server DIRS FILES SIZE TIMEOUT MOUNTPOINT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t ndirs, nfiles, fsize;

/* The one piece of state: which names cN exist, so O_EXCL and unlink work. */
#define MAX_CREATED (1u << 20)
static unsigned char created[MAX_CREATED];
static double timeout;

/* nodeids: 1 root, 2.. dirs, then files dir-major, then created files. */
static uint64_t first_file(void) { return 2 + ndirs; }
static uint64_t first_created(void) { return first_file() + ndirs * nfiles; }

static void attr_of(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == 1 || ino < first_file()) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = ino < first_created() ? (off_t)fsize : 0;
	}
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse_entry_param e = { .ino = ino, .attr_timeout = timeout,
				      .entry_timeout = timeout };

	attr_of(ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void nl_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	char *end;
	uint64_t n = strtoull(name + 1, &end, 10);

	if (parent == 1 && name[0] == 'd' && !*end && n < ndirs)
		reply_entry(req, 2 + n);
	else if (parent > 1 && parent < first_file() && name[0] == 'f' && !*end && n < nfiles)
		reply_entry(req, first_file() + (parent - 2) * nfiles + n);
	else if (name[0] == 'c' && !*end && n < MAX_CREATED &&
		 __atomic_load_n(&created[n], __ATOMIC_RELAXED))
		reply_entry(req, first_created() + n);
	else
		fuse_reply_err(req, ENOENT);
}

static void nl_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	attr_of(ino, &st);
	fuse_reply_attr(req, &st, timeout);
}

static void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	char *buf = malloc(size), name[32];
	uint64_t count = ino == 1 ? ndirs : nfiles;
	size_t used = 0;

	for (uint64_t i = (uint64_t)off; i < count + 2; i++) {
		struct fuse_entry_param e = { .attr_timeout = timeout, .entry_timeout = timeout };
		struct stat st = { 0 };
		size_t n;

		/* readdir(3) hides entries with inode number 0. */
		st.st_ino = i < 2 ? 1 : ino == 1 ? 2 + (i - 2) : first_file() + (ino - 2) * nfiles + (i - 2);
		if (i < 2) {
			snprintf(name, sizeof(name), i ? ".." : ".");
			st.st_mode = S_IFDIR;
		} else {
			snprintf(name, sizeof(name), "%c%llu", ino == 1 ? 'd' : 'f',
				 (unsigned long long)(i - 2));
			st.st_mode = ino == 1 ? S_IFDIR : S_IFREG;
		}
		if (plus && i >= 2) {
			e.ino = st.st_ino;
			attr_of(e.ino, &e.attr);
			n = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, (off_t)i + 1);
		} else if (plus) {
			e.attr = st;
			n = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, (off_t)i + 1);
		} else {
			n = fuse_add_direntry(req, buf + used, size - used, name, &st, (off_t)i + 1);
		}
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void nl_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void)fi;
	list_dir(req, ino, size, off, false);
}

static void nl_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	(void)fi;
	list_dir(req, ino, size, off, true);
}

static void nl_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	static char zeros[1 << 17];
	size_t n = 0;

	(void)ino;
	(void)fi;
	if ((uint64_t)off < fsize)
		n = fsize - (uint64_t)off < size ? fsize - (uint64_t)off : size;
	fuse_reply_buf(req, zeros, n < sizeof(zeros) ? n : sizeof(zeros));
}

static void nl_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct fuse_entry_param e = { .attr_timeout = timeout, .entry_timeout = timeout };

	uint64_t n = strtoull(name + 1, NULL, 10);

	(void)parent;
	(void)mode;
	if (name[0] != 'c' || n >= MAX_CREATED) {
		fuse_reply_err(req, ENOSPC);
		return;
	}
	__atomic_store_n(&created[n], 1, __ATOMIC_RELAXED);
	e.ino = first_created() + n;
	attr_of(e.ino, &e.attr);
	fuse_reply_create(req, &e, fi);
}

static void nl_ok(fuse_req_t req) { fuse_reply_err(req, 0); }
static void nl_unlink(fuse_req_t req, fuse_ino_t p, const char *name)
{
	uint64_t n = strtoull(name + 1, NULL, 10);

	(void)p;
	if (name[0] == 'c' && n < MAX_CREATED)
		__atomic_store_n(&created[n], 0, __ATOMIC_RELAXED);
	nl_ok(req);
}
static void nl_release(fuse_req_t req, fuse_ino_t i, struct fuse_file_info *fi) { (void)i; (void)fi; nl_ok(req); }
static void nl_open(fuse_req_t req, fuse_ino_t i, struct fuse_file_info *fi) { (void)i; fuse_reply_open(req, fi); }
static void nl_forget(fuse_req_t req, fuse_ino_t i, uint64_t n) { (void)i; (void)n; fuse_reply_none(req); }
static void nl_forget_multi(fuse_req_t req, size_t c, struct fuse_forget_data *f) { (void)c; (void)f; fuse_reply_none(req); }

static const struct fuse_lowlevel_ops ops = {
	.lookup = nl_lookup, .getattr = nl_getattr, .readdir = nl_readdir,
	.readdirplus = nl_readdirplus,
	.opendir = nl_open, .releasedir = nl_release, .open = nl_open,
	.release = nl_release, .read = nl_read, .create = nl_create,
	.unlink = nl_unlink, .forget = nl_forget, .forget_multi = nl_forget_multi,
};

int main(int argc, char **argv)
{
	char *fargv[] = { "null_server", "-o", "default_permissions,allow_other,fsname=null", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_loop_config *lc;
	struct fuse_session *se;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: null_server DIRS FILES SIZE TIMEOUT MOUNTPOINT\n");
		return 2;
	}
	ndirs = strtoull(argv[1], NULL, 10);
	nfiles = strtoull(argv[2], NULL, 10);
	fsize = strtoull(argv[3], NULL, 10);
	timeout = strtod(argv[4], NULL);
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	fuse_opt_free_args(&args);
	if (!se || fuse_set_signal_handlers(se) || fuse_session_mount(se, argv[5]))
		return 1;
	lc = fuse_loop_cfg_create();
	rc = fuse_session_loop_mt(se, lc);
	fuse_loop_cfg_destroy(lc);
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	return rc < 0 ? 1 : 0;
}
