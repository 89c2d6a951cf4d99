/*
 * qmp: the few QEMU Machine Protocol exchanges the VM runs need (stop,
 * migrate to a snapshot and back, hot-plug the virtio-fs device, cont),
 * over a socket QEMU connected to. One JSON object per line; events
 * interleave with replies and are kept out of them.
 */
#ifndef VFS_SCENARIO_QMP_H
#define VFS_SCENARIO_QMP_H

#include <stddef.h>

#include "line_reader.h"

#define QMP_LINE_MAX 8192

/* The greeting read and capabilities negotiated on @fd (taken); 0 or -errno. */
int qmp_open(struct line_reader *q, int fd, int ms);

/*
 * Sends @json (one command object) and waits up to @ms for its reply:
 * 0 for {"return": ...}, -EIO for {"error": ...} with its text in @err
 * (room @len), or the line_read error.
 */
int qmp_command(struct line_reader *q, const char *json, int ms, char *err, size_t len);

/*
 * Waits up to @ms for a MIGRATION event whose status is "completed" (0)
 * or "failed"/"cancelled" (-EIO), passing over every other line.
 */
int qmp_wait_migration(struct line_reader *q, int ms);

#endif
