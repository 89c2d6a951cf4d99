/*
 * options: vfs-fuzz's command line. Every value is checked here, before a
 * daemon starts, and a bad one is named.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/oracle_exceptions.h"
#include "options.h"
#include "util/number.h"

static const char usage[] =
"usage: vfs-fuzz [options] --targets=T[,T...] | --vhost-user=CMD | --fuse-socket=CMD\n"
"                | --devfuse=CMD\n"
"\n"
"Generates FUSE request sequences from a seed, runs them against a daemon\n"
"on a fresh fixture, judges them with oracles (alive, protocol, identity,\n"
"duplicate, differs, canary), shrinks each new finding and writes it as a\n"
"scenario that vfs-scenario replays.\n"
"\n"
"Targets:\n"
"  --targets=T[,T...]   vfskit's targets, each fuzzed in turn: ids-only, v3,\n"
"                       fixed, fixed-vhost, virtiofsd-c, virtiofsd-rs[:WORDS],\n"
"                       passthrough_ll, passthrough, passthrough_fh,\n"
"                       fuse-overlayfs (libfuse 3's daemons are given a\n"
"                       /dev/fuse fd: --devfuse; libfuse 2's are refused)\n"
"  --vhost-user='CMD'   a vhost-user daemon: {fd} or {socket}, and {source}\n"
"  --fuse-socket='CMD'  a daemon speaking FUSE on a SOCK_SEQPACKET socket\n"
"                       ({fd} or {socket}), as vfs-serve --fuse-fd\n"
"  --devfuse='CMD'      a libfuse daemon: {devfuse} is the /dev/fuse it is\n"
"                       to take (libfuse 3.3+ reads /dev/fd/N as an open fd)\n"
"\n"
"Options:\n"
"  --seed=N             the sequence's seed (default: 1); the same seed and\n"
"                       the same answers give the same steps\n"
"  --requests=N         steps per target (default: 20000)\n"
"  --seconds=S          run each target S seconds instead\n"
"  --restart-every=N    steps per daemon run, then a fresh one (default: 1000)\n"
"  --jobs=N             N loops at once, each with its own daemon and fixture;\n"
"                       job K uses seed S+K and its share of --requests\n"
"                       (default: 1)\n"
"  --mutate=PCT         malformed requests, percent of steps (default: 5)\n"
"  --faithful           only what a guest kernel sends: nodeids it still\n"
"                       holds, no malformed request, no directory moved\n"
"                       below itself (for daemons written to trust the\n"
"                       kernel, as libfuse's are; default for --devfuse\n"
"                       and libfuse's examples: give --mutate=PCT to\n"
"                       leave it)\n"
"  --host=PCT           host changes, percent of steps (default: 8)\n"
"  --fixture=NAME       tmpfs (default) or ext4-small (inode numbers reused)\n"
"  --serve-option=OPT   an option for vfs-serve (repeat it)\n"
"  --inject=SPEC        run the daemon under vfs-inject, failing calls as SPEC,\n"
"                       armed once INIT is done (repeat it)\n"
"  --init=PROFILE       what INIT offers (default: the running kernel's)\n"
"  --timeout=MS         how long a reply may take (default: 1000)\n"
"  --raw-wait=MS        how long a malformed request's reply is waited for\n"
"                       before the daemon is asked whether it still serves\n"
"                       (default: 25)\n"
"  --fd-slack=N         at a run's end, with everything forgotten, the fds a\n"
"                       daemon may hold beyond those it had after INIT and\n"
"                       one per open file (default: 64); more is a finding\n"
"  --out=DIR            where findings are written (default: vfs-fuzz-findings)\n"
"  --corpus=DIR         keep each run that got a new reply (as a scenario)\n"
"  --no-shrink          write findings as found\n"
"  --fixtures=DIR       where fixtures/NAME.sh are\n"
"  --examples=DIR       where libfuse's examples are built\n"
"  --virtiofsd-c=PATH, --virtiofsd-rs=PATH, --serve=PATH\n"
"  -j, --json           JSON lines: progress, findings, totals\n"
"  -q, --quiet          no progress line\n"
"  -h, --help           show this help\n"
"      --version        show the version\n"
"\n"
"Exit status: 0 when nothing was found, 1 when something was, 2 on a usage\n"
"error or when the daemon could not be run.\n";

enum { O_SEED = 256, O_REQUESTS, O_SECONDS, O_RESTART, O_MUTATE, O_HOST, O_FIXTURE,
       O_SERVE_OPT, O_INJECT, O_INIT, O_TIMEOUT, O_RAW_WAIT, O_FD_SLACK, O_OUT, O_CORPUS, O_NO_SHRINK, O_FIXTURES,
       O_EXAMPLES, O_VC, O_VRS, O_SERVE, O_VHOST, O_SOCKET, O_DEVFUSE, O_TARGETS, O_JOBS, O_FAITHFUL, O_VERSION };

static int bad(const char *opt, const char *value, const char *why)
{
	fprintf(stderr, "vfs-fuzz: --%s=%s: %s\n", opt, value, why);
	return -1;
}

static int whole(const char *opt, const char *v, long min, long max, long *out)
{
	unsigned long long n;

	if (number_parse(v, (unsigned long long)max, &n) || n < (unsigned long long)min) {
		char why[96];

		snprintf(why, sizeof(why), "not a whole number from %ld to %ld", min, max);
		return bad(opt, v, why);
	}
	*out = (long)n;
	return 0;
}

static int add_targets(struct cmdline *c, const char *list)
{
	char why[256];
	int n = target_list_parse(list, c->targets + c->ntargets,
				  CMDLINE_MAX_TARGETS - c->ntargets, why, sizeof(why));

	if (n < 0) {
		fprintf(stderr, "vfs-fuzz: --targets: %s\n", why);
		return -1;
	}
	for (int i = c->ntargets; i < c->ntargets + n; i++) {
		struct target *t = &c->targets[i];

		if (t->base->kind == TARGET_FUSE_MOUNT && !target_option_in(t, "transport")) {
			const char *name = t->base->name;
			char spec[160];

			/* libfuse 3's daemons are reached through a /dev/fuse fd of ours. */
			snprintf(spec, sizeof(spec), "%s%cdevfuse", t->name,
				 strchr(t->name, ':') ? ',' : ':');
			if (target_parse(spec, t, why, sizeof(why))) {
				fprintf(stderr, "vfs-fuzz: --targets: %s takes no /dev/fuse fd "
					"(its libfuse is 2.x), so vfs-fuzz cannot reach it; "
					"vfs-scenario runs its mount scenarios\n", name);
				return -1;
			}
		}
	}
	c->ntargets += n;
	return 0;
}

static const struct option longopts[] = {
	{ "seed", required_argument, NULL, O_SEED },
	{ "requests", required_argument, NULL, O_REQUESTS },
	{ "seconds", required_argument, NULL, O_SECONDS },
	{ "restart-every", required_argument, NULL, O_RESTART },
	{ "mutate", required_argument, NULL, O_MUTATE },
	{ "host", required_argument, NULL, O_HOST },
	{ "fixture", required_argument, NULL, O_FIXTURE },
	{ "serve-option", required_argument, NULL, O_SERVE_OPT },
	{ "inject", required_argument, NULL, O_INJECT },
	{ "init", required_argument, NULL, O_INIT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "raw-wait", required_argument, NULL, O_RAW_WAIT },
	{ "fd-slack", required_argument, NULL, O_FD_SLACK },
	{ "out", required_argument, NULL, O_OUT },
	{ "corpus", required_argument, NULL, O_CORPUS },
	{ "no-shrink", no_argument, NULL, O_NO_SHRINK },
	{ "fixtures", required_argument, NULL, O_FIXTURES },
	{ "examples", required_argument, NULL, O_EXAMPLES },
	{ "virtiofsd-c", required_argument, NULL, O_VC },
	{ "virtiofsd", required_argument, NULL, O_VC },
	{ "virtiofsd-rs", required_argument, NULL, O_VRS },
	{ "serve", required_argument, NULL, O_SERVE },
	{ "vhost-user", required_argument, NULL, O_VHOST },
	{ "fuse-socket", required_argument, NULL, O_SOCKET },
	{ "devfuse", required_argument, NULL, O_DEVFUSE },
	{ "targets", required_argument, NULL, O_TARGETS },
	{ "jobs", required_argument, NULL, O_JOBS },
	{ "faithful", no_argument, NULL, O_FAITHFUL },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ 0 }
};

/* One option; 0, or -1 after a message naming what was wrong. */
static int one_option(int opt, char *arg, struct cmdline *c)
{
	struct fuzz_options *o = &c->o;
	long n;

	switch (opt) {
	case O_SEED: {
		unsigned long long s;

		if (number_parse(arg, UINT64_MAX, &s))
			return bad("seed", arg, "not a whole number");
		o->seed = s;
		break;
	}
	case O_REQUESTS:
		if (whole("requests", arg, 1, 1000000000L, &o->requests))
			return -1;
		o->seconds = 0;
		break;
	case O_SECONDS:
		if (whole("seconds", arg, 1, 86400 * 7, &n))
			return -1;
		o->seconds = (double)n;
		o->requests = 0;
		break;
	case O_RESTART:
		if (whole("restart-every", arg, 1, 1000000, &n))
			return -1;
		o->restart_every = (int)n;
		break;
	case O_MUTATE:
		c->mutate_set = true;
		/* fall through */
	case O_HOST:
		if (whole(opt == O_MUTATE ? "mutate" : "host", arg, 0, 100, &n))
			return -1;
		*(opt == O_MUTATE ? &o->mutate_pct : &o->host_pct) = (int)n;
		break;
	case O_FIXTURE:
		if (strcmp(arg, "tmpfs") && strcmp(arg, "ext4-small"))
			return bad("fixture", arg, "tmpfs or ext4-small");
		o->fixture = arg;
		break;
	case O_SERVE_OPT:
		if (o->nserve_args == (int)(sizeof(o->serve_args) / sizeof(o->serve_args[0])))
			return bad("serve-option", arg, "too many (16)");
		o->serve_args[o->nserve_args++] = arg;
		break;
	case O_INJECT:
		if (o->ninject == (int)(sizeof(o->inject) / sizeof(o->inject[0])))
			return bad("inject", arg, "too many (8)");
		o->inject[o->ninject++] = arg;
		break;
	case O_INIT:
		o->init = fuse_init_profile_find(arg);
		if (!o->init)
			return bad("init", arg, "linux-6.1, linux-6.12 or minimal");
		break;
	case O_TIMEOUT:
		if (whole("timeout", arg, 10, 600000, &n))
			return -1;
		o->timeout_ms = (int)n;
		break;
	case O_RAW_WAIT:
		if (whole("raw-wait", arg, 1, 600000, &n))
			return -1;
		o->raw_wait_ms = (int)n;
		break;
	case O_FD_SLACK:
		if (whole("fd-slack", arg, 0, 1000000, &n))
			return -1;
		o->fd_slack = (int)n;
		break;
	case O_OUT:
		o->out_dir = arg;
		break;
	case O_CORPUS:
		o->corpus = arg;
		break;
	case O_NO_SHRINK:
		o->shrink = false;
		break;
	case O_FIXTURES:
		snprintf(o->fixtures, sizeof(o->fixtures), "%s", arg);
		break;
	case O_EXAMPLES:
		snprintf(o->loc.examples, sizeof(o->loc.examples), "%s", arg);
		break;
	case O_VC:
		o->paths.virtiofsd_c = arg;
		break;
	case O_VRS:
		o->paths.virtiofsd_rs = arg;
		break;
	case O_SERVE:
		snprintf(o->loc.serve, sizeof(o->loc.serve), "%s", arg);
		break;
	case O_VHOST:
	case O_SOCKET:
	case O_DEVFUSE:
		if (c->foreign)
			return bad(opt == O_VHOST ? "vhost-user" : opt == O_SOCKET ?
				   "fuse-socket" : "devfuse", arg,
				   "only one of --vhost-user, --fuse-socket, --devfuse");
		c->foreign = opt;
		o->paths.vhost_cmd = arg;
		o->socket_transport = opt != O_VHOST;
		c->devfuse = opt == O_DEVFUSE;
		break;
	case O_FAITHFUL:
		c->faithful = 1;
		break;
	case O_JOBS:
		if (whole("jobs", arg, 1, 64, &n))
			return -1;
		c->jobs = (int)n;
		break;
	case O_TARGETS:
		if (add_targets(c, arg))
			return -1;
		break;
	case 'j':
		o->json = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'h':
		fputs(usage, stdout);
		exit(0);
	case O_VERSION:
		printf("vfs-fuzz (vfskit) %s\n", VFSKIT_VERSION);
		exit(0);
	default:
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

int options_parse(int argc, char **argv, struct cmdline *c)
{
	struct fuzz_options *o = &c->o;
	int opt;

	memset(c, 0, sizeof(*c));
	target_locate(&o->loc, &o->paths);
	o->seed = 1;
	o->requests = 20000;
	o->restart_every = 1000;
	o->mutate_pct = 5;
	o->host_pct = 8;
	o->fixture = "tmpfs";
	o->timeout_ms = 1000;
	o->raw_wait_ms = 25;
	o->fd_slack = 64;
	o->out_dir = "vfs-fuzz-findings";
	o->shrink = true;
	o->sites_fd = -1;
	c->jobs = 1;
	while ((opt = getopt_long(argc, argv, "jqh", longopts, NULL)) != -1)
		if (one_option(opt, optarg, c))
			return -1;
	if (optind < argc) {
		fprintf(stderr, "vfs-fuzz: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!c->foreign == !c->ntargets) {
		fprintf(stderr, "vfs-fuzz: give --targets, or one of --vhost-user, --fuse-socket, "
			"--devfuse\n");
		return -1;
	}
	if (c->foreign) {
		target_foreign(&c->targets[0]);
		c->ntargets = 1;
	}
	return 0;
}
