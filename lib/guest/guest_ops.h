/*
 * guest_ops: the file operations of scenario steps, for the two programs
 * that run them: vfs-scenario (guest steps on a FUSE mount, host steps on
 * the source) and vfs-guest-agent (guest steps inside a real guest). Each
 * works below a root it is given and nowhere else, and returns 0 with its
 * value in @out (a number, a string, "ok") or a negative errno.
 */
#ifndef VFS_GUEST_OPS_H
#define VFS_GUEST_OPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/strbuf.h"

#define STEP_MAX_ARGS 32       /* words a step takes after its operation */
#define STEP_VALUE_MAX 65536 /* bytes a step's value may hold (a scenario variable's limit) */

/* guest and host: file operations below @root. */
int op_file(const char *root, bool guest, const char *op, int argc, char **argv,
	    struct strbuf *out);
/* Files and directories the guest steps hold open on the server now. */
int ops_guest_open_files(void);
/* guest only, below the mount at @root: handles, cache drops, concurrent lookups. */
int op_guest(const char *root, const char *op, int argc, char **argv, struct strbuf *out);
/* Closes every fd that open/hold steps left open. */
void ops_close_all(void);

/*
 * A step refused as written (a path outside the root, an unknown counter,
 * a table full): the message is kept until ops_refusal() takes it, and
 * the run is then a runner error, not a result of the server.
 */
void ops_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ops_refusal(void);

/* 0 if @path stays below @root (no '..', symlink or absolute escape);
 * -EXDEV after ops_refuse() otherwise. @follow: the last component too. */
int ops_confine(const char *root, const char *path, bool follow);
/* Opens @path below @root as ops_confine() checks it; fd or -errno. */
int open_beneath(const char *root, const char *path, int flags, mode_t mode);

#endif
