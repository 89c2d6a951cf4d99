/*
 * control_client: reads until a line that starts with "ok" or "err"; a
 * server that stops answering is given up on after a receive timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/control_client.h"
#include "util/unix_socket.h"

int control_connect(const char *path)
{
	struct timeval tv = { .tv_sec = 10 };
	int fd = unix_connect(path, SOCK_STREAM);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Start of the last complete line in @sb, or NULL. */
static const char *last_line(const struct strbuf *sb)
{
	size_t end;

	if (!sb->len || sb->buf[sb->len - 1] != '\n')
		return NULL;
	end = sb->len - 1;
	while (end > 0 && sb->buf[end - 1] != '\n')
		end--;
	return sb->buf + end;
}

int control_request(int fd, const char *cmd, struct strbuf *out)
{
	size_t start = out->len, len = strlen(cmd);
	char buf[4096];

	int send_err = 0;

	if (send(fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1)
		send_err = -errno;
	/* Even when sending failed, the server may have said why it hung up. */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const char *line;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return send_err ? send_err : n < 0 ? -errno : -ECONNRESET;
		strbuf_addf(out, "%.*s", (int)n, buf);
		if (out->failed)
			return -ENOMEM;
		line = last_line(out);
		if (line && line >= out->buf + start) {
			if (!strncmp(line, "ok", 2))
				return 0;
			if (!strncmp(line, "err", 3))
				return 1;
		}
	}
}
