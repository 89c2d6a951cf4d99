/* file_type: the words for a file's type, as dumps and scenarios print them. */
#ifndef VFS_FILE_TYPE_H
#define VFS_FILE_TYPE_H

#include <sys/types.h>

/* "reg", "dir", "lnk", "fifo", "sock", "chr", "blk" for @mode's type bits. */
const char *file_type_name(mode_t mode);

#endif
