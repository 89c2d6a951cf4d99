/*
 * opcodes: the names of FUSE opcodes (linux/fuse.h), for every tool that
 * prints a request: vfs-trace, and the protocol client and transports to
 * come.
 */
#ifndef VFS_FUSE_OPCODES_H
#define VFS_FUSE_OPCODES_H

/* "LOOKUP" for 1, ...; NULL for a number no opcode has. */
const char *fuse_opcode_word(unsigned opcode);
/* "RESEND" for 7, ... (mainline notify codes up to 7.45); NULL otherwise. */
const char *fuse_notify_word(int code);

#endif
