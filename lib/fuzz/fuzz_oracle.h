/*
 * fuzz_oracle: verdicts on a FUSE server from the requests a client sent
 * it and what came back, for the two programs that judge a sequence the
 * same way: vfs-fuzz while it generates one, and vfs-scenario when a
 * sequence vfs-fuzz wrote comes back as a scenario ("oracle" steps).
 *
 * Each oracle is a separate verdict:
 *   alive     the server hung (no reply in time) or hung up
 *   protocol  a reply broke the protocol (fuse_client's checks)
 *   identity  a (nodeid, generation) pair named two host files
 *   duplicate one host file had two live nodeids
 *   differs   an attribute or errno disagrees with the host
 * A file's identity on the host is its file handle (name_to_handle_at:
 * the inode number and the generation the filesystem wrote into it), so a
 * reused inode number is a different file; the host side is read between
 * requests, with nothing else changing it.
 *
 * A verdict has a site ("identity lookup": the oracle and what showed it,
 * no numbers), by which findings are told apart, and a text for people.
 */
#ifndef VFS_FUZZ_ORACLE_H
#define VFS_FUZZ_ORACLE_H

#include <stdbool.h>

#include "fuse/client/fuse_words.h"

enum fuzz_oracle_kind {
	ORACLE_ALIVE,
	ORACLE_PROTOCOL,
	ORACLE_IDENTITY,
	ORACLE_DUPLICATE,
	ORACLE_DIFFERS,
	ORACLE_COUNT
};

/* Designs that give a file more than one nodeid on purpose (exceptions.c). */
#define ORACLE_EXCEPT_PER_NAME_NODES 1u /* libfuse's high-level API: a node per name */
#define ORACLE_EXCEPT_HIDDEN_NLINK   2u /* ... and an unlinked open file shown with nlink 0 */
#define ORACLE_EXCEPT_WHITEOUTS      4u /* an overlay's upper layer: a 0:0 device is a removed name */

struct fuzz_oracle;

/* A judge for a server whose source is @host_root. NULL with -errno in *@err. */
struct fuzz_oracle *fuzz_oracle_new(const char *host_root, unsigned exceptions, int *err);
void fuzz_oracle_free(struct fuzz_oracle *o);

/*
 * Takes one request's outcome: its words (@op and @argc words in @argv,
 * as fuse_words_run took them, variables expanded), @raw, the result @r
 * and @out. Verdicts it leads to are kept (the first of each oracle).
 */
void fuzz_oracle_observe(struct fuzz_oracle *o, const char *op, bool raw, int argc,
			 char **argv, int r, const struct fuse_words_out *out, const char *why);

/* The first verdict of @k: its site and text, or NULL when there is none. */
const char *fuzz_oracle_site(const struct fuzz_oracle *o, enum fuzz_oracle_kind k);
const char *fuzz_oracle_text(const struct fuzz_oracle *o, enum fuzz_oracle_kind k);
/* How many verdicts of any oracle have been kept: a new one shows as a change. */
int fuzz_oracle_count(const struct fuzz_oracle *o);

/* "identity" for ORACLE_IDENTITY; -1 for a name that is none. */
const char *fuzz_oracle_name(enum fuzz_oracle_kind k);
int fuzz_oracle_parse(const char *name);

/*
 * Whether a kernel would refuse request @op before a server heard of it,
 * judged on the host now: a request under a parent that is no directory,
 * an UNLINK of a directory or an RMDIR of anything else; a RENAME of a
 * name that is not there, of a parent it was never given, or that would
 * move a directory below itself. Faithful runs (vfs-fuzz --faithful) send
 * no such request.
 */
bool fuzz_oracle_kernel_refuses(const struct fuzz_oracle *o, const char *op, int argc,
				char **argv);

/* Live nodeids (lookup count above 0), for a caller that forgets them all. */
int fuzz_oracle_live(const struct fuzz_oracle *o, unsigned long long *nodeids,
		     unsigned long long *counts, int max);

#endif
