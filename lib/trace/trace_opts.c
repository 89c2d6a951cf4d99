/* trace_opts: every value is checked here; a bad one is a usage error (2). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errno_name.h"
#include "trace/trace_opts.h"

void trace_usage(FILE *f)
{
	fprintf(f,
"usage: vfs-trace [-p PID] [-t TID] [-c COMM] [-x|-a] [-e ERRNO] [-m MOUNTPOINT]\n"
"                 [-d SECONDS] [-T] [-j] [-s] [-v]\n"
"\n"
"Traces file-handle failures system-wide, live: name_to_handle_at and\n"
"open_by_handle_at, FUSE requests that end in an error (with opcode,\n"
"nodeid, requester and serving daemon), failing mount-API calls, and,\n"
"when -p names a vfs-serve process, its own decisions (USDT probes).\n"
"\n"
"  -p, --pid PID        only this process (for FUSE: requester or daemon)\n"
"  -t, --tid TID        only this thread\n"
"  -c, --comm COMM      only this command name (for FUSE: the daemon's)\n"
"  -x, --failed         only calls that fail (default)\n"
"  -a, --all            every call\n"
"  -e, --errno ERRNO    only this errno (a name such as ESTALE, or a number)\n"
"  -m, --mount DIR      only FUSE requests of the mount at DIR and\n"
"                       name_to_handle_at calls on it (mount id, or a path\n"
"                       below DIR); open_by_handle_at is not filtered\n"
"  -d, --duration SEC   stop after SEC seconds (default: at SIGINT)\n"
"  -T, --timestamp      print a time column\n"
"  -j, --json           one JSON object per line (event, pid, tid, comm,\n"
"                       ret, errno, and the event's own fields)\n"
"  -s, --summary        at the end, counts by comm, operation and errno and\n"
"                       a latency histogram per operation\n"
"  -v, --verbose        libbpf's messages, and which hooks were used\n"
"      --ring MIB       the ring buffer's size, a power of two (default: 16)\n"
"      --fuse-pairing   join fuse_request_send/_end tracepoints instead of\n"
"                       tp_btf on fuse_request_end (chosen by itself where\n"
"                       tp_btf does not load)\n"
"  -h, --help           this help\n"
"      --version        the version\n"
"\n"
"Needs root or CAP_BPF and CAP_PERFMON, and a kernel with BTF. Lost events\n"
"(a full ring buffer) are reported on stderr.\n");
}

static int bad(const char *flag, const char *val, const char *want)
{
	fprintf(stderr, "vfs-trace: invalid value '%s' for %s: want %s\n", val, flag, want);
	return 2;
}

static int number(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int trace_opts_parse(int argc, char **argv, struct trace_opts *o)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "comm", required_argument, NULL, 'c' },
		{ "failed", no_argument, NULL, 'x' },
		{ "all", no_argument, NULL, 'a' },
		{ "errno", required_argument, NULL, 'e' },
		{ "mount", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fuse-pairing", no_argument, NULL, 'P' },
		{ "ring", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->failed_only = true;
	o->ring_mib = 16;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:t:c:xae:m:d:Tjsvh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (number(optarg, &o->pid))
				return bad("-p", optarg, "a process id");
			break;
		case 't':
			if (number(optarg, &o->tid))
				return bad("-t", optarg, "a thread id");
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= sizeof(o->comm))
				return bad("-c", optarg, "a command name of 1 to 15 characters");
			strcpy(o->comm, optarg);
			break;
		case 'x': o->failed_only = true; break;
		case 'a': o->failed_only = false; break;
		case 'e':
			if (errno_parse(optarg, &o->err))
				return bad("-e", optarg, "an errno name (ESTALE) or number");
			break;
		case 'm': o->mountpoint = optarg; break;
		case 'd':
			if (number(optarg, &o->duration))
				return bad("-d", optarg, "seconds, 1 or more");
			break;
		case 'T': o->timestamps = true; break;
		case 'j': o->json = true; break;
		case 's': o->summary = true; break;
		case 'v': o->verbose = true; break;
		case 'P': o->fuse_pairing = true; break;
		case 'R':
			if (number(optarg, &o->ring_mib) || o->ring_mib > 1024 ||
			    (o->ring_mib & (o->ring_mib - 1)))
				return bad("--ring", optarg, "a power of two from 1 to 1024 (MiB)");
			break;
		case 'h':
			trace_usage(stdout);
			return 1;
		case 'V':
			printf("vfs-trace (vfskit) %s\n", VFSKIT_VERSION);
			return 1;
		default:
			if (optopt)
				fprintf(stderr, "vfs-trace: option -%c needs a value or is unknown\n", optopt);
			else
				fprintf(stderr, "vfs-trace: unknown option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "try 'vfs-trace --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfs-trace: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}
