/* opcodes: indexed by opcode number; gaps (7, 19) are numbers never used. */
#include <stddef.h>

#include "fuse/opcodes.h"

static const char *const names[] = {
	[1] = "LOOKUP", [2] = "FORGET", [3] = "GETATTR", [4] = "SETATTR", [5] = "READLINK",
	[6] = "SYMLINK", [8] = "MKNOD", [9] = "MKDIR", [10] = "UNLINK", [11] = "RMDIR",
	[12] = "RENAME", [13] = "LINK", [14] = "OPEN", [15] = "READ", [16] = "WRITE",
	[17] = "STATFS", [18] = "RELEASE", [20] = "FSYNC", [21] = "SETXATTR",
	[22] = "GETXATTR", [23] = "LISTXATTR", [24] = "REMOVEXATTR", [25] = "FLUSH",
	[26] = "INIT", [27] = "OPENDIR", [28] = "READDIR", [29] = "RELEASEDIR",
	[30] = "FSYNCDIR", [31] = "GETLK", [32] = "SETLK", [33] = "SETLKW", [34] = "ACCESS",
	[35] = "CREATE", [36] = "INTERRUPT", [37] = "BMAP", [38] = "DESTROY", [39] = "IOCTL",
	[40] = "POLL", [41] = "NOTIFY_REPLY", [42] = "BATCH_FORGET", [43] = "FALLOCATE",
	[44] = "READDIRPLUS", [45] = "RENAME2", [46] = "LSEEK", [47] = "COPY_FILE_RANGE",
	[48] = "SETUPMAPPING", [49] = "REMOVEMAPPING", [50] = "SYNCFS", [51] = "TMPFILE",
	[52] = "STATX", [53] = "COPY_FILE_RANGE_64",
};

/* Mainline notify codes (fuse_out_header.error of a unique-0 message). */
static const char *const notify_names[] = {
	[1] = "POLL", [2] = "INVAL_INODE", [3] = "INVAL_ENTRY", [4] = "STORE",
	[5] = "RETRIEVE", [6] = "DELETE", [7] = "RESEND", [8] = "INC_EPOCH", [9] = "PRUNE",
};

const char *fuse_opcode_word(unsigned opcode)
{
	return opcode < sizeof(names) / sizeof(names[0]) ? names[opcode] : NULL;
}

const char *fuse_notify_word(int code)
{
	return code > 0 && code < (int)(sizeof(notify_names) / sizeof(notify_names[0]))
		       ? notify_names[code] : NULL;
}
