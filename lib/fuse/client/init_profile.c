/*
 * init_profile: the sets. Linux 6.1 is Debian 12's kernel (6.1.x, whose
 * linux/fuse.h is 7.38); 6.12 is Debian 13's (7.41). "minimal" is what
 * vfskit offered before profiles, kept to reproduce old results.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "fuse/client/init_profile.h"
#include "util/array.h"

#define LINUX_6_1 (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC |                \
		   FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES | FUSE_DONT_MASK | FUSE_SPLICE_WRITE | \
		   FUSE_SPLICE_MOVE | FUSE_SPLICE_READ | FUSE_FLOCK_LOCKS | FUSE_HAS_IOCTL_DIR | \
		   FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO |        \
		   FUSE_ASYNC_DIO | FUSE_WRITEBACK_CACHE | FUSE_NO_OPEN_SUPPORT |             \
		   FUSE_PARALLEL_DIROPS | FUSE_HANDLE_KILLPRIV | FUSE_POSIX_ACL |             \
		   FUSE_ABORT_ERROR | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS |                  \
		   FUSE_NO_OPENDIR_SUPPORT | FUSE_EXPLICIT_INVAL_DATA |                       \
		   FUSE_HANDLE_KILLPRIV_V2 | FUSE_SETXATTR_EXT | FUSE_INIT_EXT |              \
		   FUSE_SECURITY_CTX | FUSE_HAS_EXPIRE_ONLY | FUSE_SUBMOUNTS)

#define LINUX_6_12 (LINUX_6_1 | FUSE_CREATE_SUPP_GROUP | FUSE_DIRECT_IO_ALLOW_MMAP |       \
		    FUSE_NO_EXPORT_SUPPORT | FUSE_HAS_RESEND | FUSE_ALLOW_IDMAP)

/* Oldest kernel first: fuse_init_profile_for_release walks them in order. */
static const struct fuse_init_profile profiles[] = {
	{ "linux-6.1", "what Linux 6.1 offers (7.38; SECURITY_CTX, POSIX_ACL, WRITEBACK_CACHE, ...)",
	  38, LINUX_6_1, 6, 1 },
	{ "linux-6.12", "what Linux 6.12 offers (7.41; adds CREATE_SUPP_GROUP, ALLOW_IDMAP, ...)",
	  41, LINUX_6_12, 6, 12 },
	{ "minimal", "7.38 with ASYNC_READ, BIG_WRITES, DO_READDIRPLUS, MAX_PAGES, EXPORT_SUPPORT",
	  38, FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS | FUSE_MAX_PAGES |
	  FUSE_EXPORT_SUPPORT | FUSE_INIT_EXT, 0, 0 },
};

const struct fuse_init_profile *fuse_init_profile_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

const struct fuse_init_profile *fuse_init_profile_for_release(const char *release)
{
	const struct fuse_init_profile *best = &profiles[0];
	unsigned major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return best;
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++) {
		const struct fuse_init_profile *p = &profiles[i];

		if (p->kmajor && (p->kmajor < major || (p->kmajor == major && p->kminor <= minor)))
			best = p;
	}
	return best;
}

const struct fuse_init_profile *fuse_init_profile_default(void)
{
	struct utsname u;

	return fuse_init_profile_for_release(uname(&u) ? NULL : u.release);
}

void fuse_init_profile_list(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		fprintf(f, "  %-12s %s\n", profiles[i].name, profiles[i].what);
}
