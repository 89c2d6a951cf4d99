/*
 * decision_log: one JSON object per decision the core takes about an inode
 * (created, found by handle, found by ids, ids hit rejected, fell back to
 * O_PATH, mount fd opened or failed, stale handle, retired, revived).
 *
 * It is what a scenario prints when it fails and what a developer greps
 * when the guest saw a nodeid change; it is off unless a path is given.
 */
#ifndef VFS_DECISION_LOG_H
#define VFS_DECISION_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/json_line.h"

struct decision_log {
	int fd; /* -1: off */
};

int decision_log_open(struct decision_log *log, const char *path);
void decision_log_close(struct decision_log *log);

static inline bool decision_log_on(const struct decision_log *log)
{
	return log->fd >= 0;
}

/* Starts a line with "ts" and "event"; the caller adds fields. */
void decision_log_begin(struct json_line *j, const char *event);
/* Ends the line and writes it in one write(). */
void decision_log_emit(struct decision_log *log, struct json_line *j);

#endif
