/*
 * decision_log: O_APPEND and one write() per line, so concurrent lookups
 * never interleave inside a line and `tail -f` always sees whole objects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "obs/decision_log.h"

int decision_log_open(struct decision_log *log, const char *path)
{
	log->fd = -1;
	if (!path)
		return 0;
	log->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return log->fd < 0 ? -errno : 0;
}

void decision_log_close(struct decision_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

void decision_log_begin(struct json_line *j, const char *event)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_begin(j);
	json_u64(j, "ts_ns", (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	json_str(j, "event", event);
}

void decision_log_emit(struct decision_log *log, struct json_line *j)
{
	size_t len = json_end(j);

	if (log->fd >= 0 && write(log->fd, j->buf, len) < 0) {
		/* A full disk must not stop the server; the log is advisory. */
	}
}
