/*
 * control_cmd: the commands of vfs-serve's control socket, one line in,
 * zero or more data lines out, then one status line: "ok ..." or
 * "err <what was wrong>". The protocol is described in
 * cmd/vfs-serve/CONTROL.md; this file is the one place that implements it.
 */
#ifndef VFS_CONTROL_CMD_H
#define VFS_CONTROL_CMD_H

#include "core/passthrough.h"
#include "util/strbuf.h"

/* Runs one command line (without its newline) and appends the reply. */
void control_execute(struct passthrough *pt, const char *line, struct strbuf *out);

/*
 * Checks the store's invariants; appends one "violation ..." line per
 * broken one to @out and returns how many there were, or -ENOMEM.
 */
int control_check_invariants(struct passthrough *pt, struct strbuf *out);

#endif
