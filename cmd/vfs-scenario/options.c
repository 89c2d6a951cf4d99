/* options: getopt_long, every value checked; defaults found beside the binary. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "shard.h"
#include "scenario/scenario.h"


static void usage(FILE *f)
{
	fprintf(f,
"usage: vfs-scenario [options] [SCENARIO|DIR|FAMILY...]\n"
"       vfs-scenario merge [--html=FILE] RESULTS.json... >ALL.json\n"
"       vfs-scenario compare [--html=FILE] OLD.json NEW.json\n"
"\n"
"Runs scenario files (DIR: every *.scn below it) against vfs-serve, in\n"
"every design by default (the matrix), and reports each outcome beside\n"
"what the scenario declares. Without arguments it runs every scenario it\n"
"finds (the source tree's scenarios/, or the installed ones); FAMILY names\n"
"a folder of those (id-reuse), FAMILY/NAME one scenario. The language:\n"
"vfs-scenario(5), scenarios/README.md.\n"
"\n"
"  --design=D[,D...]    only these designs: ids-only, v3, fixed (default: all)\n"
"  --targets=T[,T...]   these targets: the designs, libfuse's examples\n"
"                       passthrough_ll, passthrough, passthrough_fh, and\n"
"                       the vhost-user daemons, through vfskit's front-end:\n"
"                       virtiofsd-c (the C virtiofsd; or virtiofsd),\n"
"                       virtiofsd-rs (the Rust virtiofsd) and fixed-vhost\n"
"                       (vfs-serve --vhost-user, fixed design) (default:\n"
"                       the designs). A target takes options after a colon:\n"
"                       virtiofsd-rs:prefer,chroot; virtiofsd-rs: handles\n"
"                       never (default), prefer, mandatory\n"
"                       (--inode-file-handles), sandbox namespace (default),\n"
"                       chroot, none; xattr (--xattr); virtiofsd-c:\n"
"                       sandbox namespace (default), chroot; xattr;\n"
"                       fixed: sandbox none (default), chroot, namespace;\n"
"                       fixed-vhost: sandbox namespace (default), chroot,\n"
"                       none; passthrough_ll, passthrough, passthrough_fh:\n"
"                       devfuse (protocol scenarios over a /dev/fuse fd of\n"
"                       the runner's, no kernel between); Debian's FUSE\n"
"                       daemons (mount scenarios): fuse-overlayfs\n"
"                       (devfuse too), mergerfs: inodecalc hybrid-hash\n"
"                       (default), path-hash, devino-hash, passthrough;\n"
"                       use_ino (default), no-use-ino; bindfs;\n"
"                       unionfs-fuse (or unionfs): use_ino (default),\n"
"                       no-use-ino (README.md: their command lines)\n"
"  --examples=DIR       where the libfuse examples are built (default:\n"
"                       the build tree's bench/)\n"
"  --server='CMD'       run against another FUSE server instead: CMD is run\n"
"                       by /bin/sh with {source} and {mountpoint} replaced;\n"
"                       server steps are skipped\n"
"  --vhost-user='CMD'   run protocol scenarios against a vhost-user daemon:\n"
"                       CMD is run by /bin/sh with {socket} (a path it\n"
"                       listens on) or {fd} (a listening socket it\n"
"                       inherits) and {source} replaced; server steps are\n"
"                       skipped, mount scenarios are n/a\n"
"  --virtiofsd-c=PATH   the C virtiofsd (default: " VIRTIOFSD_DEFAULT ";\n"
"                       --virtiofsd=PATH too)\n"
"  --virtiofsd-rs=PATH  the Rust virtiofsd, e.g. one's own build's\n"
"                       target/release/virtiofsd (default: the build tree's\n"
"                       build/virtiofsd-rs/virtiofsd, made by make\n"
"                       virtiofsd-rs, else " VIRTIOFSD_RS_NATIVE ")\n"
"  --guest=mount|vm     where guest steps run: a FUSE mount on this host\n"
"                       (default), or a real Linux guest: QEMU boots the\n"
"                       image of fixtures/guest/ against each vhost-user\n"
"                       target (virtiofsd, fixed-vhost, --vhost-user), and\n"
"                       mount scenarios run there too\n"
"  --guest-kernel=K[,K] the guest kernels the VM columns boot: 6.1 (Debian\n"
"                       12's cloud kernel, the default), 6.12 (Debian 13's);\n"
"                       each vhost-user column becomes one per kernel,\n"
"                       named T@6.1 and T@6.12, the protocol scenarios in\n"
"                       the first only; a scenario whose outcome differs\n"
"                       between them is listed as a kernel difference\n"
"  --guest-image=DIR    one guest's vmlinuz and initrd.gz, for one kernel\n"
"                       (default: the source tree's build/guest/KERNEL,\n"
"                       made by make guest)\n"
"  --init=PROFILE       what protocol scenarios offer in INIT, unless a\n"
"                       scenario names its own: linux-6.1, linux-6.12,\n"
"                       minimal (default: the running kernel's)\n"
"  --serve=PATH         the vfs-serve binary (default: beside vfs-scenario)\n"
"  --fixtures=DIR       the fixture scripts (default: found beside the\n"
"                       scenarios, as they are)\n"
"  --timeout=SECONDS    time limit per scenario run (default: 60); a\n"
"                       daemon still not answering then is a HANG: its\n"
"                       FUSE connection is aborted and its processes killed\n"
"  --jobs=N             run N columns at once, each in a process of its own\n"
"                       (default: 1); the report is the same whatever N.\n"
"                       Each column has its own fixtures, daemons, sockets\n"
"                       and guests; they share the cores, the memory (a\n"
"                       guest takes 128 MiB) and the host kernel's caches:\n"
"                       a cell that drops those (drop-caches on a host\n"
"                       mount) runs alone, other host-mount cells side by\n"
"                       side (a lock in /run/lock)\n"
"  --shard=K/N          run only part K of N of the matrix: a cell's part\n"
"                       comes from its scenario's and target's names, the\n"
"                       same on every machine, so N jobs run each cell once\n"
"  --list               print the cells that would run (of the shard), one\n"
"                       'scenario [target]' a line; run nothing\n"
"  --results=FILE       also write the results as JSON (vfskit-results/1)\n"
"  --html=FILE          also write them as one self-contained HTML page\n"
"  --tap                print TAP version 13 instead of the table\n"
"  --junit=FILE         also write JUnit XML to FILE\n"
"  --check              parse the scenarios, report errors, run nothing\n"
"  --mutate             check the checks: on each target where a scenario\n"
"                       passes, run it again once per expectation with that\n"
"                       one negated; report every expectation whose scenario\n"
"                       still passes (it decides nothing); exit 1 if any.\n"
"                       Server steps need vfs-serve: on other daemons they\n"
"                       are passed over and counted\n"
"  -v, --verbose        print every step and its result\n"
"  -h, --help           show this help\n"
"      --version        show the version\n"
"\n"
"merge joins the --results of shards (or of runs whose cells do not\n"
"overlap) into one document on standard output; it refuses a shard given\n"
"twice or missing, and results of two releases. compare prints what\n"
"changed from OLD to NEW, cell by cell: regressions (a cell that now\n"
"fails or hangs, or whose bug shows again), fixed, changed (PASS to\n"
"SKIP...), gone and added; it exits 1 if there is a regression.\n"
"\n"
"Exit status: 0 if every outcome is as declared (PASS, or the bug\n"
"reproduced on a design the scenario says has it; SKIP does not count),\n"
"1 otherwise, 2 on a usage or scenario file error, 130 if interrupted.\n");
}

/*
 * --design (designs only) or --targets (any target). Commas part targets
 * and a target's words alike: a piece that names no target is one more
 * word of the target before it (virtiofsd-rs:prefer,none,fixed).
 */
static int parse_targets(const char *s, struct options *o, bool designs_only)
{
	char why[640];
	int n = target_list_parse(s, o->targets, MAX_TARGETS, why, sizeof(why));

	o->ntargets = n > 0 ? n : 0;
	if (designs_only) {
		/* --design: the three designs only, each named as given */
		char *copy = strdup(s), *save = NULL, *bad = NULL;

		for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w && !bad;
		     w = strtok_r(NULL, ",", &save)) {
			struct target t;

			if (target_parse(w, &t, why, sizeof(why)) || t.base->kind != TARGET_DESIGN)
				bad = w;
		}
		if (bad || n <= 0)
			fprintf(stderr, "vfs-scenario: unknown design '%s' (ids-only, v3, fixed)\n",
				bad ? bad : s);
		free(copy);
		return bad || n <= 0 ? -1 : 0;
	}
	if (n < 0) {
		fprintf(stderr, "vfs-scenario: %s\n", why);
		return -1;
	}
	return 0;
}

static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	parse_targets("ids-only,v3,fixed", o, true);
	o->timeout = 60;
	o->jobs = 1;
	target_locate(&o->loc, &o->paths);
}

/* --timeout and --jobs: 0, or -1 having said what was wrong. */
static int number_option(int c, const char *arg, struct options *o)
{
	int max = c == 'T' ? 3600 : MAX_TARGETS, v = whole_number(arg, 1, max) ? atoi(arg) : 0;

	if (!v) {
		fprintf(stderr, "vfs-scenario: invalid value '%s' for --%s: want 1 to %d %s\n", arg,
			c == 'T' ? "timeout" : "jobs", max, c == 'T' ? "seconds" : "columns at once");
		return -1;
	}
	*(c == 'T' ? &o->timeout : &o->jobs) = v;
	return 0;
}

/* --guest, --guest-image, --guest-kernel: 0, or -1 having said what was wrong. */
static int guest_option(int c, const char *arg, struct options *o)
{
	if (c == 'K')
		return guest_kernels_parse(arg, o) ? -1 : 0;
	if (c == 'I') {
		snprintf(o->loc.guest_image, sizeof(o->loc.guest_image), "%s", arg);
		o->image_set = true;
		return 0;
	}
	if (strcmp(arg, "vm") && strcmp(arg, "mount")) {
		fprintf(stderr, "vfs-scenario: invalid value '%s' for --guest: want mount or vm\n",
			arg);
		return -1;
	}
	o->guest_vm = !strcmp(arg, "vm");
	return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "design", required_argument, NULL, 'D' },
		{ "targets", required_argument, NULL, 'G' },
		{ "examples", required_argument, NULL, 'E' },
		{ "server", required_argument, NULL, 'S' },
		{ "vhost-user", required_argument, NULL, 'U' },
		{ "virtiofsd", required_argument, NULL, 'O' },
		{ "virtiofsd-c", required_argument, NULL, 'O' },
		{ "virtiofsd-rs", required_argument, NULL, 'R' },
		{ "guest", required_argument, NULL, 'g' },
		{ "guest-image", required_argument, NULL, 'I' },
		{ "guest-kernel", required_argument, NULL, 'K' },
		{ "serve", required_argument, NULL, 'B' },
		{ "fixtures", required_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "init", required_argument, NULL, 'i' },
		{ "tap", no_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'J' },
		{ "shard", required_argument, NULL, 'k' },
		{ "list", no_argument, NULL, 'L' },
		{ "results", required_argument, NULL, 'r' },
		{ "html", required_argument, NULL, 'H' },
		{ "check", no_argument, NULL, 'c' },
		{ "mutate", no_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	defaults(o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
		case 'G':
			if (parse_targets(optarg, o, c == 'D'))
				return 2;
			break;
		case 'E':
			snprintf(o->loc.examples, sizeof(o->loc.examples), "%s", optarg);
			break;
		case 'S':
			if (!strstr(optarg, "{source}") || !strstr(optarg, "{mountpoint}")) {
				fprintf(stderr, "vfs-scenario: --server needs {source} and {mountpoint} "
					"in its command\n");
				return 2;
			}
			o->paths.server_cmd = optarg;
			break;
		case 'U':
			if (!strstr(optarg, "{socket}") && !strstr(optarg, "{fd}")) {
				fprintf(stderr, "vfs-scenario: --vhost-user needs {socket} or {fd} "
					"in its command\n");
				return 2;
			}
			o->paths.vhost_cmd = optarg;
			break;
		case 'O':
			o->paths.virtiofsd_c = optarg;
			break;
		case 'R':
			o->paths.virtiofsd_rs = optarg;
			break;
		case 'g':
		case 'I':
		case 'K':
			if (guest_option(c, optarg, o))
				return 2;
			break;
		case 'B':
			snprintf(o->loc.serve, sizeof(o->loc.serve), "%s", optarg);
			break;
		case 'F':
			snprintf(o->fixtures, sizeof(o->fixtures), "%s", optarg);
			o->fixtures_set = true;
			break;
		case 'T':
		case 'j':
			if (number_option(c, optarg, o))
				return 2;
			break;
		case 'i':
			o->init = fuse_init_profile_find(optarg);
			if (!o->init) {
				fprintf(stderr, "vfs-scenario: invalid value '%s' for --init: want "
					"linux-6.1, linux-6.12 or minimal\n", optarg);
				return 2;
			}
			break;
		case 't': o->tap = true; break;
		case 'J': o->junit = optarg; break;
		case 'k':
			if (shard_parse(optarg, o))
				return 2;
			break;
		case 'L': o->list = true; break;
		case 'r': o->results_path = optarg; break;
		case 'H': o->html = optarg; break;
		case 'c': o->check = true; break;
		case 'M': o->mutate = true; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("vfs-scenario (vfskit) %s\n", VFSKIT_VERSION); exit(0);
		default:
			fprintf(stderr, "vfs-scenario: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	o->foreign = o->paths.server_cmd || o->paths.vhost_cmd;
	if (o->foreign) {
		target_foreign(&o->targets[0]);
		o->ntargets = 1;
	}
	return guest_kernels_expand(o) ? 2 : 0;
}
