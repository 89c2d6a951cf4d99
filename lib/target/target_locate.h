/*
 * target_locate: where a harness (vfs-scenario, vfs-fuzz) finds what the
 * command line does not say. Programs: beside the binary (vfs-serve,
 * vfs-inject), libfuse's examples in the build tree's bench/, the fetched
 * Rust virtiofsd in build/virtiofsd-rs (else a native install), the C
 * virtiofsd of Debian's QEMU. Data (scenarios, fixtures): the source tree
 * it was built in, then an installation relative to the binary
 * (BINDIR/../share/vfskit), then the DATADIR it was built for.
 */
#ifndef VFS_TARGET_LOCATE_H
#define VFS_TARGET_LOCATE_H

#include <limits.h>
#include <stddef.h>

#include "target/target_argv.h"
#include "util/strbuf.h"

#define VIRTIOFSD_DEFAULT "/usr/lib/qemu/virtiofsd"
#define VIRTIOFSD_RS_NATIVE "/usr/libexec/virtiofsd"

struct target_locations {
	char serve[PATH_MAX], inject[PATH_MAX], examples[PATH_MAX], virtiofsd_rs[PATH_MAX];
	char guest_image[PATH_MAX]; /* build/guest: the image is not instrumented */
};

/* The defaults, from /proc/self/exe; @p points into @l (change either after). */
void target_locate(struct target_locations *l, struct target_paths *p);

/*
 * The first existing directory of @what ("scenarios" or "fixtures") into
 * @out. 0, or -ENOENT with the places it looked, blank-separated, in
 * @looked.
 */
int data_dir_find(const char *what, char *out, size_t len, struct strbuf *looked);

#endif
