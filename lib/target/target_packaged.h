/*
 * target_packaged: the FUSE daemons Debian packages (fuse-overlayfs,
 * mergerfs, bindfs, unionfs-fuse): their command lines, and the layout a
 * daemon needs around its share before it starts.
 */
#ifndef VFS_TARGET_PACKAGED_H
#define VFS_TARGET_PACKAGED_H

#include <stddef.h>

#include "target/target.h"
#include "util/strvec.h"

/*
 * @t's daemon serving @source at @mnt (a mountpoint, or "{devfuse}").
 * 0; -ENOENT or -EACCES: not installed (@argv ends with its path).
 */
int target_packaged_argv(const struct target *t, const char *source, const char *mnt,
			 struct strvec *argv);

/*
 * Arranges the fixture at @source the way @t's users lay it out and puts
 * the directory the daemon serves (and the host steps see) in @share:
 * fuse-overlayfs gets podman's layer directory, the fixture moved into
 * its diff/ beside work/ and an empty lower layer, all on the fixture's
 * filesystem (its workdir must share the upper layer's). Others: @source.
 * 0 or -errno.
 */
int target_layout(const struct target *t, const char *source, char *share, size_t len);

#endif
