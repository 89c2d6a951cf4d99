/*
 * usdt: static probes in the core (provider "vfskit") that vfs-trace
 * attaches to, so a live vfs-serve can be watched deciding without debug
 * logging. Each probe has two arguments: what it is about (an inode
 * number, nodeid or mount id) and an errno (0 if none). Without
 * systemtap's <sys/sdt.h> they compile to nothing; when nobody traces,
 * each costs one nop.
 */
#ifndef VFS_USDT_H
#define VFS_USDT_H

#if defined(__has_include) && __has_include(<sys/sdt.h>)
#include <sys/sdt.h>
#define VFS_PROBE(name, what, err) DTRACE_PROBE2(vfskit, name, (long)(what), (long)(err))
#else
#define VFS_PROBE(name, what, err) do { (void)(what); (void)(err); } while (0)
#endif

#endif
