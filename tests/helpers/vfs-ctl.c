/*
 * vfs-ctl: talks to a running vfs-serve's control socket.
 *
 *   vfs-ctl SOCKET COMMAND...       one request per COMMAND, replies printed
 *   vfs-ctl --raw SOCKET            sends standard input as it is, prints
 *                                   everything the server says until it
 *                                   closes or stays silent for 2 s
 *   vfs-ctl --idle N SOCKET CMD...  first opens N connections that send
 *                                   nothing, then runs the commands
 *   vfs-ctl --slow N SOCKET CMD     sends CMD N times at once, then reads
 *                                   the replies 512 bytes every 50 ms,
 *                                   until the server closes; prints the
 *                                   number of bytes it read
 *
 * Exit 0 if every reply was "ok", 1 if one was "err", 2 on a usage error,
 * 3 if the socket failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control/control_client.h"

static int raw(const char *path)
{
	struct timeval tv = { .tv_sec = 2 };
	char buf[65536];
	ssize_t n;
	int fd = control_connect(path);

	if (fd < 0)
		return 3;
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return 0;
}

/* A client that pipelines and reads slowly: it must delay nobody else. */
static int slow(int times, const char *path, const char *cmd)
{
	struct timespec pause = { 0, 50 * 1000000 };
	char buf[512];
	long long total = 0;
	ssize_t n;
	int fd = control_connect(path);

	if (fd < 0)
		return 3;
	for (int i = 0; i < times; i++)
		if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0 ||
		    send(fd, "\n", 1, MSG_NOSIGNAL) < 0)
			break;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		total += n;
		nanosleep(&pause, NULL);
	}
	printf("%lld\n", total);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct strbuf out = STRBUF_INIT;
	int fd, rc = 0, idle = 0, first = 2;

	if (argc == 3 && !strcmp(argv[1], "--raw"))
		return raw(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "--slow"))
		return slow(atoi(argv[2]), argv[3], argv[4]);
	if (argc >= 5 && !strcmp(argv[1], "--idle")) {
		idle = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: vfs-ctl [--idle N] SOCKET COMMAND... | --raw SOCKET | "
			"--slow N SOCKET COMMAND\n");
		return 2;
	}
	for (int i = 0; i < idle; i++)
		if (control_connect(argv[1]) < 0)
			return 3; /* left open on purpose until exit */
	fd = control_connect(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "vfs-ctl: cannot connect to %s: %s\n", argv[1], strerror(-fd));
		return 3;
	}
	for (int i = first; i < argc; i++) {
		int r = control_request(fd, argv[i], &out);

		if (r < 0) {
			fprintf(stderr, "vfs-ctl: %s: %s\n", argv[i], strerror(-r));
			rc = 3;
			break;
		}
		if (r)
			rc = 1;
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	close(fd);
	return rc;
}
