/*
 * init_profile: what a FUSE INIT offers, as a named set. A daemon's code
 * paths depend on what was negotiated (SECURITY_CTX and CREATE_SUPP_GROUP
 * change how CREATE, MKDIR, MKNOD and SYMLINK are parsed; WRITEBACK_CACHE
 * how OPEN is), so a front-end that offers less than a guest kernel never
 * reaches them. The kernels' sets are those fuse_send_init offers a
 * virtio-fs server without DAX.
 */
#ifndef VFS_INIT_PROFILE_H
#define VFS_INIT_PROFILE_H

#include <stdint.h>
#include <stdio.h>
#include <linux/fuse.h>

#include "fuse/fuse_newer.h"

/* INIT flags and extension types newer than Debian 12's linux/fuse.h (7.38). */
#ifndef FUSE_CREATE_SUPP_GROUP
#define FUSE_CREATE_SUPP_GROUP (1ULL << 34)
#endif
#ifndef FUSE_DIRECT_IO_ALLOW_MMAP
#define FUSE_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#endif
#ifndef FUSE_NO_EXPORT_SUPPORT
#define FUSE_NO_EXPORT_SUPPORT (1ULL << 38)
#endif
#ifndef FUSE_HAS_RESEND
#define FUSE_HAS_RESEND (1ULL << 39)
#endif
#ifndef FUSE_ALLOW_IDMAP
#define FUSE_ALLOW_IDMAP (1ULL << 40)
#endif

struct fuse_init_profile {
	const char *name;      /* "linux-6.12" */
	const char *what;      /* one line for --help */
	uint32_t minor;        /* the protocol minor it asks for */
	uint64_t flags;        /* flags2 << 32 | flags */
	unsigned kmajor, kminor; /* the kernel it is, 0 for none */
};

/* The profile called @name, or NULL. */
const struct fuse_init_profile *fuse_init_profile_find(const char *name);

/*
 * The newest kernel profile not newer than @release (a uname release,
 * "6.18.2-1-amd64"); the oldest for an older or unreadable one.
 */
const struct fuse_init_profile *fuse_init_profile_for_release(const char *release);

/* The default: the running kernel's, by uname. */
const struct fuse_init_profile *fuse_init_profile_default(void);

/* Every profile, one per line with what it is, for --help. */
void fuse_init_profile_list(FILE *f);

#endif
