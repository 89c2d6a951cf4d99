/*
 * target_packaged: each daemon as its manual starts it, with the few
 * options a column needs to mean something, each said why.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/target_argv.h"
#include "target/target_packaged.h"

/*
 * The scenarios change the host tree under the mount; with the kernel's
 * default 1 s caches a verdict would depend on whether the next step came
 * within the second (vfs-serve's columns run with 0 too, from each
 * scenario's vfs-serve line). mergerfs's manual says the same for
 * branches changed outside it.
 */
#define LIBFUSE2_NO_CACHE "entry_timeout=0,negative_timeout=0,attr_timeout=0"

/* podman's layer directory: LAYER/diff (the upper layer, the share), LAYER/work, LAYER/lower. */
static void layer_dir(const char *share, char *out, size_t len)
{
	const char *slash = strrchr(share, '/');

	snprintf(out, len, "%.*s", slash ? (int)(slash - share) : 1, slash ? share : ".");
}

int target_packaged_argv(const struct target *t, const char *source, const char *mnt,
			 struct strvec *argv)
{
	const char *name = t->base->name;
	char layer[PATH_MAX];

	strvec_push(argv, t->base->program);
	if (access(t->base->program, X_OK) < 0)
		return -errno;
	strvec_push(argv, "-f");
	if (!strcmp(name, "fuse-overlayfs")) {
		/* As podman's storage driver mounts a container: lowerdir, upperdir, workdir. */
		layer_dir(source, layer, sizeof(layer));
		strvec_push(argv, "-o");
		strvec_pushf(argv, "lowerdir=%s/lower,upperdir=%s,workdir=%s/work", layer, source,
			     layer);
		strvec_push(argv, mnt);
	} else if (!strcmp(name, "mergerfs")) {
		/*
		 * The manual's recommended start (use_ino, a word of the table,
		 * cache.files=off, dropcacheonclose, category.create=mfs);
		 * minfreespace=1M, below
		 * the 16 MiB fixtures: its 4G default answers ENOSPC to every
		 * create on them, and the column would say nothing of inodes.
		 */
		strvec_push(argv, "-o");
		strvec_push(argv, "allow_other,cache.files=off,dropcacheonclose=true,"
				  "category.create=mfs,minfreespace=1M,cache.entry=0,cache.attr=0,"
				  "cache.negative_entry=0");
		target_option_args(t, argv);
		strvec_push(argv, source);
		strvec_push(argv, mnt);
	} else if (!strcmp(name, "bindfs")) {
		/* As its manual: bindfs adds use_ino and readdir_ino itself. */
		strvec_push(argv, "-o");
		strvec_push(argv, LIBFUSE2_NO_CACHE);
		strvec_push(argv, source);
		strvec_push(argv, mnt);
	} else if (!strcmp(name, "unionfs-fuse")) {
		/* The manual's example: cow, allow_other, use_ino; one RW branch. */
		strvec_push(argv, "-o");
		strvec_push(argv, "cow,allow_other," LIBFUSE2_NO_CACHE);
		target_option_args(t, argv);
		strvec_pushf(argv, "%s=RW", source);
		strvec_push(argv, mnt);
	} else {
		return -EINVAL;
	}
	return argv->failed ? -ENOMEM : 0;
}

/* @a/@b into @out; -ENAMETOOLONG past PATH_MAX. */
static int join(char out[PATH_MAX], const char *a, const char *b)
{
	return snprintf(out, PATH_MAX, "%s/%s", a, b) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int mkdir_in(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (join(path, dir, name))
		return -ENAMETOOLONG;
	return mkdir(path, 0755) < 0 ? -errno : 0;
}

/* @from/@name is a mount (a submount fixture): moved to @from/@to, its directory after it. */
static int move_mount_at(const char *from, const char *name, const char *to)
{
	char old[PATH_MAX], new[PATH_MAX];

	if (join(old, from, name) || join(new, from, to))
		return -ENAMETOOLONG;
	if (mkdir(new, 0755) < 0 || mount(old, new, NULL, MS_MOVE, NULL) < 0 || rmdir(old) < 0)
		return -errno;
	return 0;
}

/* Moves every entry of @from but lost+found into @to_name, a new directory of it. */
static int move_into(const char *from, const char *to_name)
{
	int dfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	DIR *d;
	struct dirent *e;

	if (dfd < 0)
		return -errno;
	if (mkdirat(dfd, to_name, 0755) < 0) {
		err = -errno;
		close(dfd);
		return err;
	}
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	/* Pass after pass until one moves nothing: no reliance on readdir past a rename. */
	for (bool moved = true; moved && !err;) {
		moved = false;
		rewinddir(d);
		while (!err && (e = readdir(d))) {
			char to[NAME_MAX + 2 + 16];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			    !strcmp(e->d_name, to_name) || !strcmp(e->d_name, "lost+found"))
				continue;
			snprintf(to, sizeof(to), "%s/%s", to_name, e->d_name);
			/* A rename keeps inode numbers: the fixture's hard links stay links. */
			if (renameat(dfd, e->d_name, dfd, to) < 0)
				err = errno == EBUSY ? move_mount_at(from, e->d_name, to) : -errno;
			moved = true;
		}
	}
	closedir(d);
	return err;
}

int target_layout(const struct target *t, const char *source, char *share, size_t len)
{
	char from[PATH_MAX];
	int err;

	if (strcmp(t->base->name, "fuse-overlayfs")) {
		if (share != source)
			snprintf(share, len, "%s", source);
		return 0;
	}
	snprintf(from, sizeof(from), "%s", source); /* @share may be @source */
	source = from;
	err = move_into(source, "diff");
	if (err)
		return err;
	err = mkdir_in(source, "work");
	if (!err)
		err = mkdir_in(source, "lower");
	if (err)
		return err;
	if ((size_t)snprintf(share, len, "%s/diff", source) >= len)
		return -ENAMETOOLONG;
	return 0;
}
