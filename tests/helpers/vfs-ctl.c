/*
 * vfs-ctl: sends control commands to a running vfs-serve, one per argument,
 * and prints the replies. Exit 0 if every reply was "ok", 1 if one was
 * "err", 2 on a usage error, 3 if the socket failed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control_client.h"

int main(int argc, char **argv)
{
	struct strbuf out = STRBUF_INIT;
	int fd, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: vfs-ctl SOCKET COMMAND...\n");
		return 2;
	}
	fd = control_connect(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "vfs-ctl: cannot connect to %s: %s\n", argv[1], strerror(-fd));
		return 3;
	}
	for (int i = 2; i < argc; i++) {
		int r = control_request(fd, argv[i], &out);

		if (r < 0) {
			fprintf(stderr, "vfs-ctl: %s: %s\n", argv[i], strerror(-r));
			rc = 3;
			break;
		}
		if (r)
			rc = 1;
	}
	fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	strbuf_release(&out);
	close(fd);
	return rc;
}
