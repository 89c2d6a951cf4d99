/*
 * vfs-fuse: FUSE requests to a virtio-fs daemon (over vhost-user, no VM)
 * or to vfs-serve's socket mode, from a shell; one JSON line per reply.
 * For a daemon developer reproducing a bug: the exact request, nothing
 * the kernel would add or leave out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "fuse/client/fuse_words.h"
#include "util/errno_name.h"
#include "util/json_line.h"

static void usage(FILE *f)
{
	char profiles[512] = "";
	FILE *m = fmemopen(profiles, sizeof(profiles) - 1, "w");

	if (m) {
		fuse_init_profile_list(m);
		fclose(m);
	}
	fprintf(f,
"usage: vfs-fuse [options] TARGET REQUEST [ARG]... [';' REQUEST [ARG]...]...\n"
"\n"
"Sends FUSE requests to one server and prints each reply as a JSON line.\n"
"INIT is sent first unless --no-init. TARGET is one of:\n"
"  --vhost-user='CMD'    start a vhost-user daemon: CMD is its command line,\n"
"                        with {socket} (a path it listens on) or {fd} (a\n"
"                        listening socket it inherits) and {source} (see\n"
"                        --source); it is stopped at the end\n"
"  --connect=PATH        a vhost-user daemon already listening at PATH\n"
"  --fuse-socket=PATH    vfs-serve --fuse-socket listening at PATH\n"
"\n"
"Options:\n"
"  --source=DIR          what {source} stands for (default: .)\n"
"  --daemon-log=FILE     the started daemon's output (default: stderr)\n"
"  --timeout=SEC         how long a reply may take (default: 5)\n"
"  --minimal             vhost-user without protocol features or ENABLE\n"
"  --no-init             send no INIT first\n"
"  --notification        vhost-user: negotiate VIRTIO_FS_F_NOTIFICATION (queue 1)\n"
"                        and post no buffers there: the device counts what\n"
"                        it would send as lost\n"
"  --init=PROFILE        what INIT offers (default: the running kernel's):\n"
"%s"
"  --supp-group=GID      with CREATE_SUPP_GROUP taken, send GID with CREATE,\n"
"                        MKDIR, MKNOD and SYMLINK, as a kernel does for a\n"
"                        caller in the parent's group\n"
"  --request-queues=N    vhost-user: N request queues, 1 to 6 (default 1);\n"
"                        requests take them in turn\n"
"  --no-event-idx        vhost-user: leave VIRTIO_RING_F_EVENT_IDX, which a\n"
"                        guest takes when offered\n"
"  -h, --help            show this help\n"
"      --version         show the version\n"
"\n"
"Requests (nodeids are numbers; 1 is the root):\n", profiles);
	fuse_words_list(f);
	fprintf(f,
"\n"
"Exit status: 0 when every request got a reply without error, 1 when one\n"
"failed or the server could not be reached, 2 on a usage error.\n");
}

struct options {
	const char *vhost_cmd, *connect, *fuse_socket, *source, *log;
	const struct fuse_init_profile *init;
	int timeout_ms, request_queues;
	uint32_t supp_gid;
	bool minimal, no_init, notification, no_event_idx;
};

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "vhost-user", required_argument, NULL, 'V' },
		{ "connect", required_argument, NULL, 'C' },
		{ "fuse-socket", required_argument, NULL, 'F' },
		{ "source", required_argument, NULL, 's' },
		{ "daemon-log", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 't' },
		{ "minimal", no_argument, NULL, 'm' },
		{ "no-init", no_argument, NULL, 'n' },
		{ "notification", no_argument, NULL, 'N' },
		{ "init", required_argument, NULL, 'I' },
		{ "supp-group", required_argument, NULL, 'G' },
		{ "request-queues", required_argument, NULL, 'Q' },
		{ "no-event-idx", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ 0 },
	};
	int c, targets;

	*o = (struct options){ .source = ".", .log = "/dev/stderr", .timeout_ms = 5000,
			       .request_queues = 1 };
	opterr = 0;
	/* "+": the request's own words (a name like -x) are not options. */
	while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		switch (c) {
		case 'V': o->vhost_cmd = optarg; break;
		case 'C': o->connect = optarg; break;
		case 'F': o->fuse_socket = optarg; break;
		case 's': o->source = optarg; break;
		case 'l': o->log = optarg; break;
		case 'm': o->minimal = true; break;
		case 'n': o->no_init = true; break;
		case 'N': o->notification = true; break;
		case 'E': o->no_event_idx = true; break;
		case 'I':
			o->init = fuse_init_profile_find(optarg);
			if (!o->init) {
				fprintf(stderr, "vfs-fuse: invalid value '%s' for --init: want one of "
					"linux-6.1, linux-6.12, minimal\n", optarg);
				return 2;
			}
			break;
		case 'G':
		case 'Q': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    (c == 'G' ? v < 1 || v > UINT32_MAX - 1 : v < 1 || v > 6)) {
				fprintf(stderr, "vfs-fuse: invalid value '%s' for --%s: want %s\n",
					optarg, c == 'G' ? "supp-group" : "request-queues",
					c == 'G' ? "a group id, 1 to 4294967294" : "1 to 6");
				return 2;
			}
			if (c == 'G')
				o->supp_gid = (uint32_t)v;
			else
				o->request_queues = (int)v;
			break;
		}
		case 't': {
			char *end;
			double sec = strtod(optarg, &end);

			if (end == optarg || *end || !isfinite(sec) || sec < 0.001 || sec > 3600) {
				fprintf(stderr, "vfs-fuse: invalid value '%s' for --timeout: want "
					"seconds, 0.001 to 3600\n", optarg);
				return 2;
			}
			o->timeout_ms = (int)(sec * 1000);
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case 'v':
			printf("vfs-fuse (vfskit) %s\n", VFSKIT_VERSION);
			exit(0);
		default:
			fprintf(stderr, "vfs-fuse: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			fprintf(stderr, "try 'vfs-fuse --help'\n");
			return 2;
		}
	}
	targets = !!o->vhost_cmd + !!o->connect + !!o->fuse_socket;
	if (targets != 1) {
		fprintf(stderr, "vfs-fuse: need exactly one of --vhost-user, --connect, "
			"--fuse-socket (got %d)\n", targets);
		return 2;
	}
	if (o->vhost_cmd && !strstr(o->vhost_cmd, "{socket}") && !strstr(o->vhost_cmd, "{fd}")) {
		fprintf(stderr, "vfs-fuse: --vhost-user needs {socket} or {fd} in its command\n");
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "vfs-fuse: no request given\n");
		return 2;
	}
	return 0;
}

/* Checks every request's words before anything is started. */
static int check_requests(int argc, char **argv)
{
	for (int i = 0; i < argc;) {
		bool raw = !strcmp(argv[i], "raw");
		int j = i + 1 + raw, n;
		const char *why;

		while (j < argc && strcmp(argv[j], ";"))
			j++;
		n = j - i - 1 - raw;
		if (raw && i + 1 >= argc) {
			fprintf(stderr, "vfs-fuse: raw needs a request name\n");
			return 2;
		}
		if (n > FUSE_WORDS_MAX_ARGS ||
		    !fuse_words_check(argv[i + raw], raw, n, argv + i + 1 + raw, &why)) {
			fprintf(stderr, "vfs-fuse: '%s%s': %s%s\n", raw ? "raw " : "", argv[i + raw],
				why == fuse_words_usage(argv[i + raw], raw) ? "usage: " : "", why);
			return 2;
		}
		i = j + 1;
	}
	return 0;
}

static void print_reply(const char *op, int r, const struct fuse_words_out *o,
			const struct fuse_client *c)
{
	struct json_line j;

	json_begin(&j);
	json_str(&j, "request", op);
	if (r) {
		json_str(&j, "error", errno_name(-r) ? errno_name(-r) : "?");
		if (r == -EPROTO && c->why[0])
			json_str(&j, "why", c->why);
	} else {
		json_str(&j, "value", o->value.buf);
		for (int i = 0; i < o->nfields; i++) {
			const char *v = o->field[i].value;

			if (*v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 20)
				json_u64(&j, o->field[i].key, strtoull(v, NULL, 10));
			else
				json_str(&j, o->field[i].key, v);
		}
	}
	fwrite(j.buf, 1, json_end(&j), stdout);
	fflush(stdout);
}

/* The {socket} directory and what the daemon left in it. */
static void remove_dir(const char *dir, char *sock, size_t len)
{
	if (!dir)
		return;
	snprintf(sock, len, "%s/vhost-user.sock", dir);
	unlink(sock);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	struct options o;
	struct fuse_target t;
	struct vu_front_config vc;
	struct fuse_words_out out = FUSE_WORDS_OUT_INIT;
	char how[64], *sh[] = { "/bin/sh", "-c", NULL, NULL }, *line = NULL;
	char dir[] = "/tmp/vfs-fuse.XXXXXX", sock[sizeof(dir) + 20];
	int rc = parse(argc, argv, &o), failed = 0;

	if (rc)
		return rc;
	rc = check_requests(argc - optind, argv + optind);
	if (rc)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	vu_front_config_default(&vc);
	vc.timeout_ms = o.timeout_ms;
	vc.minimal = o.minimal;
	vc.notification = o.notification;
	vc.no_event_idx = o.no_event_idx;
	vc.request_queues = o.request_queues;
	if (o.vhost_cmd && asprintf(&line, "exec %s", o.vhost_cmd) < 0)
		return 1;
	sh[2] = line;
	/* {socket}: a directory of our own for it, removed at the end. */
	if (o.vhost_cmd && !mkdtemp(dir)) {
		fprintf(stderr, "vfs-fuse: cannot make %s: %s\n", dir, strerror(errno));
		free(line);
		return 1;
	}
	rc = fuse_target_open(&t, o.fuse_socket ? FUSE_TARGET_SOCKET : FUSE_TARGET_VHOST_USER,
			      o.vhost_cmd ? sh : NULL, o.connect ? o.connect : o.fuse_socket,
			      o.source, dir, o.log, &vc, o.init, o.no_init);
	if (rc) {
		fprintf(stderr, "vfs-fuse: %s\n", t.err.msg);
		fuse_target_close(&t, 1000, how, sizeof(how));
		if (t.daemon.pid > 0)
			fprintf(stderr, "vfs-fuse: the daemon: %s\n", how);
		free(line);
		remove_dir(o.vhost_cmd ? dir : NULL, sock, sizeof(sock));
		return 1;
	}
	t.client.supp_gid = o.supp_gid;
	for (int i = optind; i < argc;) {
		bool raw = !strcmp(argv[i], "raw");
		int j = i + 1 + raw;
		const char *why = NULL;
		int r;

		while (j < argc && strcmp(argv[j], ";"))
			j++;
		r = fuse_words_run(&t.client, argv[i + raw], raw, j - i - 1 - raw, argv + i + 1 + raw,
				   &out, &why);
		print_reply(argv[i + raw], r, &out, &t.client);
		if (!r && raw && !strcmp(argv[i + raw], "disconnect"))
			fuse_target_disconnect(&t);
		failed |= r != 0;
		if (r && why)
			fprintf(stderr, "vfs-fuse: %s\n", why);
		i = j + 1;
	}
	fuse_words_out_release(&out);
	fuse_target_close(&t, 2000, how, sizeof(how));
	if (o.vhost_cmd && strcmp(how, "exit 0"))
		fprintf(stderr, "vfs-fuse: the daemon: %s\n", how);
	free(line);
	remove_dir(o.vhost_cmd ? dir : NULL, sock, sizeof(sock));
	return failed ? 1 : 0;
}
