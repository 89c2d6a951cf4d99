/*
 * tracefs: libbpf looks a tracepoint's id up in tracefs, which a freshly
 * booted machine may not have mounted.
 */
#ifndef VFS_TRACE_TRACEFS_H
#define VFS_TRACE_TRACEFS_H

#define TRACEFS_DIR "/sys/kernel/tracing"

/*
 * Makes the syscall tracepoints' ids readable: 0 if tracefs is already
 * mounted (at TRACEFS_DIR or under debugfs), or after mounting it in a
 * private mount namespace of this process, so the system's mount table is
 * left as it was; -errno if it is missing and cannot be mounted.
 */
int tracefs_ensure(void);

#endif
