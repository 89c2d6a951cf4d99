/*
 * vfs-guest-agent: runs vfs-scenario's guest steps inside a VM, on the
 * virtio-fs mount there, with the very code the runner uses on a host
 * mount (lib/guest/), and answers over a serial port (agent_wire.h).
 * Built static, into the guest's initramfs.
 *
 *   vfs-guest-agent DEVICE ROOT [TAG]
 *
 * With TAG it first says it booted and waits: the runner saves the guest
 * then, plugs the virtio-fs device in and asks it to mount TAG on ROOT.
 * Without, it is a session for background blocks on the mount the first
 * made: it says it is ready, and "end session" closes what a block left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#include "guest/agent_wire.h"
#include "guest/guest_ops.h"
#include "util/mono_clock.h"

#define MAX_WORDS (STEP_MAX_ARGS + 2)

/* The serial port as a plain byte pipe: no echo, no line editing, no CR mapping. */
static void raw_tty(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
}

static void reply(FILE *out, int err, const char *value, const char *refusal)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%d\t%d\t", err, ops_guest_open_files());
	wire_encode(&sb, value, strlen(value));
	strbuf_addf(&sb, "\t");
	wire_encode(&sb, refusal ? refusal : "", refusal ? strlen(refusal) : 0);
	fprintf(out, "%s\n", sb.failed ? "12\t0\t\t" : sb.buf);
	fflush(out);
	strbuf_release(&sb);
}

/*
 * Mounts virtio-fs @tag on @root once the device that has it shows up (it
 * is plugged in just before the request): 0 or -errno within 20 s.
 */
static int mount_share(const char *tag, const char *root)
{
	long long deadline = mono_ms() + 20000;

	/* A hot-plugged device's probe ends in no event the agent could wait on. */
	while (mount(tag, root, "virtiofs", 0, NULL) < 0) {
		if (mono_ms() > deadline)
			return -errno;
		usleep(2000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *root;
	char *line = NULL, *w[MAX_WORDS];
	size_t cap = 0;
	FILE *in, *out;
	int fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: vfs-guest-agent DEVICE ROOT [TAG]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "vfs-guest-agent: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	raw_tty(fd);
	in = fdopen(fd, "r");
	out = fdopen(dup(fd), "w");
	if (!in || !out)
		return 1;
	root = argv[2];
	fprintf(out, "%s\n", argc == 4 ? AGENT_BOOTED : AGENT_READY);
	fflush(out);
	while (getline(&line, &cap, in) > 0) {
		struct strbuf value = STRBUF_INIT;
		char *args[STEP_MAX_ARGS];
		int n = wire_split(line, w, MAX_WORDS), r = 0, na = 0;
		const char *refusal;

		for (int i = 0; i < n; i++)
			if (wire_decode(w[i]) < 0)
				r = -EINVAL;
		if (n >= 1 && !strcmp(w[0], "poweroff")) {
			reply(out, 0, "ok", NULL);
			sync();
			reboot(RB_POWER_OFF);
			return 0;
		}
		if (!r && n == 2 && argc == 4 && !strcmp(w[0], "mount")) {
			r = strcmp(w[1], argv[3]) ? -EINVAL : mount_share(argv[3], root);
			reply(out, -r, r ? "" : "0", r == -EINVAL ? "not this guest's tag" : NULL);
			strbuf_release(&value);
			continue;
		}
		/* A background block's end: what it left open closes, as its process would on the host. */
		if (!r && n == 2 && !strcmp(w[0], "end") && !strcmp(w[1], "session")) {
			ops_close_all();
			reply(out, 0, "ok", NULL);
			continue;
		}
		if (r || n < 2 || (strcmp(w[0], "file") && strcmp(w[0], "guest"))) {
			reply(out, EINVAL, "", "the agent cannot read this request");
			strbuf_release(&value);
			continue;
		}
		for (int i = 2; i < n && !r; i++) {
			char flag = w[i][0];

			args[na++] = w[i] + 1;
			if ((flag == 'p' || flag == 'P') &&
			    ops_confine(root, w[i] + 1, flag == 'P'))
				r = -EXDEV;
		}
		if (!r)
			r = !strcmp(w[0], "file")
				? op_file(root, true, w[1], na, args, &value)
				: op_guest(root, w[1], na, args, &value);
		refusal = ops_refusal();
		reply(out, -r, value.buf, refusal);
		strbuf_release(&value);
	}
	ops_close_all();
	return 0;
}
