/*
 * raw_request: any FUSE request, spelled in words, for a developer who
 * wants the one the kernel never sends: "send [OPTION=V]... OPCODE NODEID
 * [FIELD]...". OPCODE is a name (LOOKUP, mkdir) or a number; each FIELD
 * adds bytes after the header:
 *   u8:N u16:N u32:N u64:N   an integer, little-endian
 *   s:TEXT                   TEXT and its NUL
 *   b:TEXT                   TEXT without a NUL
 *   x:HEX                    bytes in hex (x:00ff10)
 *   z:N                      N zero bytes
 * and the options, before OPCODE, change the rest:
 *   queue=hiprio|request|N   the queue (N: request queue N, from 0)
 *   chain=ok|zero-length|writable-first|no-reply-room|outside
 *   len=N                    the header's length, when it should lie
 *   ext=N                    the header's total_extlen (8-byte units)
 *   unique=N                 the header's unique (default: a fresh one)
 *   uid=N gid=N              the caller the header names (default: the client's)
 *   reply=N                  reply room in bytes (default 4096; 0 for none)
 */
#ifndef VFS_RAW_REQUEST_H
#define VFS_RAW_REQUEST_H

#include <stddef.h>

#include "fuse/client/fuse_client.h"

#define RAW_REQUEST_MAX 4096

struct raw_request {
	enum fuse_queue queue;
	enum fuse_chain_fault fault;
	size_t reply_max;
	size_t len;                          /* bytes in buf */
	unsigned char buf[RAW_REQUEST_MAX];
};

/* The usage line, for --help and the manual. */
#define RAW_SEND_USAGE "send [queue=Q] [chain=F] [len=N] [ext=N] [unique=N] [uid=N] [gid=N] [reply=N] " \
		       "OPCODE NODEID [u8:|u16:|u32:|u64:N | s:|b:TEXT | x:HEX | z:N]..."

/*
 * Builds @q from the @argc words in @argv, with a fresh unique and the
 * credentials of @c. 0, or -EINVAL with @why naming the word.
 */
int raw_request_parse(struct fuse_client *c, int argc, char **argv, struct raw_request *q,
		      const char **why);

/*
 * Whether the words would build a request, before there is a server: a
 * word holding a scenario variable ('$') is taken as a number there.
 * 0 or -EINVAL with @why.
 */
int raw_request_check(int argc, char **argv, const char **why);

/* "outside" and the others as a chain fault; -EINVAL for a word that is none. */
int fuse_chain_fault_parse(const char *word, enum fuse_chain_fault *f);

#endif
