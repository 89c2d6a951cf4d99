/*
 * paths: where vfs-scenario finds the scenarios and the fixture scripts
 * when the command line does not say: the source tree it was built in,
 * then an installation relative to the binary (BINDIR/../share/vfskit),
 * then the DATADIR it was built for.
 */
#ifndef VFS_SCENARIO_PATHS_H
#define VFS_SCENARIO_PATHS_H

#include <stddef.h>

#include "util/strbuf.h"

/*
 * The first existing directory of @what ("scenarios" or "fixtures") into
 * @out. 0, or -ENOENT with the places it looked, blank-separated, in
 * @looked.
 */
int data_dir_find(const char *what, char *out, size_t len, struct strbuf *looked);

#endif
