/*
 * crc32c: the Castagnoli CRC (as ext4, btrfs and iSCSI use), to tell a
 * record torn or damaged on disk from a whole one.
 */
#ifndef VFS_CRC32C_H
#define VFS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues @crc (0 to start) over @len bytes of @data. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
