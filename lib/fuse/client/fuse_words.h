/*
 * fuse_words: FUSE requests named in words ("lookup 1 hello", "getattr
 * 2", "raw unique-zero"), for the two programs that take them from people:
 * vfs-fuse at a shell, and vfs-scenario's fuse and raw steps. A request's
 * result is a value (the nodeid a LOOKUP gave, the data a READ gave) and
 * named fields (generation, ino, size, ...), which vfs-fuse prints as
 * JSON and a scenario captures as NAME and NAME[field].
 */
#ifndef VFS_FUSE_WORDS_H
#define VFS_FUSE_WORDS_H

#include "fuse/client/fuse_client.h"
#include <stdio.h>

#include "util/strbuf.h"

#define FUSE_WORDS_MAX_FIELDS 12
#define FUSE_WORDS_MAX_ARGS 32

struct fuse_words_out {
	struct strbuf value;
	int nfields;
	struct {
		const char *key;
		char value[64];
	} field[FUSE_WORDS_MAX_FIELDS];
};

/* One request, or a raw one (@argv[0] "raw"): its usage, or NULL if there is none. */
const char *fuse_words_usage(const char *op, bool raw);
/*
 * Whether @argc words fit @op's usage, and, where the words matter
 * before a server is there (raw send), @argv (NULL: count only); false
 * with the usage or the fault in @why.
 */
bool fuse_words_check(const char *op, bool raw, int argc, char **argv, const char **why);
/* Every request's usage, one per line, for --help and the manual. */
void fuse_words_list(FILE *f);

/*
 * Runs request @op with @argc words in @argv (numbers for nodeids, file
 * handles and sizes; names as they are). 0 with @out filled; the
 * server's -errno; a transport's -ETIMEDOUT/-EPIPE; -EPROTO with c->why;
 * -EINVAL with @why for words that do not fit.
 *
 * A raw request's value says what came back: "ok" (a reply without
 * error; an error reply is its -errno), "no-reply" (the request was
 * dropped: the chain came back empty, or nothing came but the daemon
 * still answers), "hang" (nothing came and it answers nothing more), or
 * "gone" (it hung up). "raw disconnect" leaves a GETATTR in flight for the
 * caller to hang up on.
 */
int fuse_words_run(struct fuse_client *c, const char *op, bool raw, int argc, char **argv,
		   struct fuse_words_out *out, const char **why);

#define FUSE_WORDS_OUT_INIT { .value = STRBUF_INIT }

/* The value of named field @key of @o ("generation"), or NULL. */
const char *fuse_words_field(const struct fuse_words_out *o, const char *key);

void fuse_words_out_reset(struct fuse_words_out *o);
void fuse_words_out_release(struct fuse_words_out *o);

#endif
