/*
 * deadlock_fs SOURCE MOUNTPOINT: a FUSE server that deadlocks on purpose,
 * for the runner's hang handling (t82-hang.sh). Its root holds "hang" and
 * "block". A lookup of "hang" takes the lock and then looks up "block"
 * through its own mount, the way a daemon given a layout that loops back
 * into it does; "block" is served by another thread, which waits for the
 * lock. Both requests were read, so both callers (the guest's step, and
 * the daemon's own thread) sleep uninterruptibly: SIGKILL does not end
 * the daemon, and only aborting the connection does. SOURCE is unused (the
 * runner's --server command line has one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char mountpoint[PATH_MAX];

static void attr_of(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_nlink = ino == FUSE_ROOT_ID ? 2 : 1;
}

static void dl_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .ino = 2, .generation = 1 };
	char path[PATH_MAX + 8];
	struct stat st;

	if (parent != FUSE_ROOT_ID || (strcmp(name, "hang") && strcmp(name, "block"))) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_mutex_lock(&lock);
	if (!strcmp(name, "hang")) {
		snprintf(path, sizeof(path), "%s/block", mountpoint);
		stat(path, &st); /* into our own mount, the lock held: never returns */
	}
	pthread_mutex_unlock(&lock);
	attr_of(2, &e.attr);
	fuse_reply_entry(req, &e);
}

static void dl_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	attr_of(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = dl_lookup,
	.getattr = dl_getattr,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, fargv);
	struct fuse_loop_config *cfg;
	struct fuse_session *se;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: deadlock_fs SOURCE MOUNTPOINT\n");
		return 2;
	}
	if (!realpath(argv[2], mountpoint)) {
		perror(argv[2]);
		return 1;
	}
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	cfg = fuse_loop_cfg_create();
	if (!se || !cfg || fuse_session_mount(se, mountpoint))
		return 1;
	/* Threads: "block" must be read by another one than "hang"'s. */
	fuse_loop_cfg_set_max_threads(cfg, 4);
	err = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return err ? 1 : 0;
}
