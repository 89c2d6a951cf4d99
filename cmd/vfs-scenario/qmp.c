/* qmp: QEMU's control socket, the little of it the VM runs use (qmp.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmp.h"
#include "util/mono_clock.h"

static int left(long long deadline)
{
	long long ms = deadline - mono_ms();

	return ms > 0 ? (int)ms : 0;
}

static int send_line(int fd, const char *json)
{
	size_t len = strlen(json), done = 0;

	while (done < len) {
		ssize_t n = write(fd, json + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		done += (size_t)n;
	}
	return write(fd, "\n", 1) == 1 ? 0 : -EPIPE;
}

int qmp_open(struct line_reader *q, int fd, int ms)
{
	char line[QMP_LINE_MAX], err[256];
	int r;

	q->fd = fd;
	q->len = 0;
	r = line_read(q, line, sizeof(line), ms);
	if (!r && !strstr(line, "\"QMP\""))
		r = -EPROTO;
	return r ? r : qmp_command(q, "{\"execute\": \"qmp_capabilities\"}", ms, err, sizeof(err));
}

int qmp_command(struct line_reader *q, const char *json, int ms, char *err, size_t len)
{
	long long deadline = mono_ms() + ms;
	char line[QMP_LINE_MAX];
	int r = send_line(q->fd, json);

	while (!r && !(r = line_read(q, line, sizeof(line), left(deadline)))) {
		if (!strncmp(line, "{\"return\"", 9))
			return 0;
		if (!strncmp(line, "{\"error\"", 8)) {
			snprintf(err, len, "%s", line);
			return -EIO;
		}
		/* an event: not the reply */
	}
	return r;
}

int qmp_wait_migration(struct line_reader *q, int ms)
{
	long long deadline = mono_ms() + ms;
	char line[QMP_LINE_MAX];
	int r;

	while (!(r = line_read(q, line, sizeof(line), left(deadline)))) {
		if (!strstr(line, "\"event\": \"MIGRATION\""))
			continue;
		if (strstr(line, "\"status\": \"completed\""))
			return 0;
		if (strstr(line, "\"status\": \"failed\"") || strstr(line, "\"status\": \"cancelled\""))
			return -EIO;
	}
	return r;
}
