/*
 * canary: a tree beside the share (DIR/canary, next to DIR/source), made
 * before a scenario's steps when it has a "canary check" step, and read
 * again by that step: names, types, sizes, contents and all three times.
 * Anything outside the share that a daemon read (the atime: the tree's
 * times are set in the past, so relatime updates it), wrote, created,
 * moved or deleted shows. Scenarios reach it from the share as
 * "../canary" (a symlink's target, a name a daemon should not walk).
 */
#ifndef VFS_SCENARIO_CANARY_H
#define VFS_SCENARIO_CANARY_H

#include "util/strbuf.h"

/* Makes @dir/canary and its description into @before. 0 or -errno. */
int canary_make(const char *dir, struct strbuf *before);
/* Describes @dir/canary into @now, as canary_make did. 0 or -errno. */
int canary_describe(const char *dir, struct strbuf *now);
/* "unchanged", or the first line that differs, before and after, into @out. 0 if unchanged, else 1. */
int canary_compare(const char *before, const char *now, struct strbuf *out);

#endif
