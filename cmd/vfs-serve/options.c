/*
 * options: defaults that depend on other flags (the mount fd source and
 * the no-mount-fd policy follow the design and --inode-file-handles) are
 * filled in after parsing, unless the user set them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify/notify_proto.h"
#include "util/number.h"
#include "options.h"
#include "sandbox.h"
#include "seccomp_filter.h"

enum {
	OPT_HANDLES = 256, OPT_DESIGN, OPT_MOUNT_FD_SOURCE, OPT_NO_MOUNT_FD,
	OPT_RETIRED_MAX, OPT_ENTRY_TIMEOUT, OPT_ATTR_TIMEOUT, OPT_LOG,
	OPT_CONTROL, OPT_SINGLE_THREAD, OPT_BACKGROUND, OPT_DEBUG, OPT_VERSION,
	OPT_MOUNT_OVER, OPT_CONTROL_IDLE, OPT_FUSE_SOCKET, OPT_FUSE_FD, OPT_VHOST_USER, OPT_FD,
	OPT_THREAD_POOL, OPT_CACHE, OPT_PRINT_CAPS, OPT_SHARED_DIR, OPT_TAG, OPT_REQUEST_QUEUES, OPT_NOTIFY_POLICY, OPT_NOTIFY_BACKEND,
	OPT_RECONNECT, OPT_SANDBOX, OPT_SECCOMP, OPT_RLIMIT_NOFILE, OPT_STATE,
};

static const struct option long_options[] = {
	{ "inode-file-handles", required_argument, NULL, OPT_HANDLES },
	{ "design", required_argument, NULL, OPT_DESIGN },
	{ "mount-fd-source", required_argument, NULL, OPT_MOUNT_FD_SOURCE },
	{ "no-mount-fd", required_argument, NULL, OPT_NO_MOUNT_FD },
	{ "retired-max", required_argument, NULL, OPT_RETIRED_MAX },
	{ "entry-timeout", required_argument, NULL, OPT_ENTRY_TIMEOUT },
	{ "attr-timeout", required_argument, NULL, OPT_ATTR_TIMEOUT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "control-idle-timeout", required_argument, NULL, OPT_CONTROL_IDLE },
	{ "single-thread", no_argument, NULL, OPT_SINGLE_THREAD },
	{ "background", no_argument, NULL, OPT_BACKGROUND },
	{ "mount-over", no_argument, NULL, OPT_MOUNT_OVER },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "fuse-socket", required_argument, NULL, OPT_FUSE_SOCKET },
	{ "fuse-fd", required_argument, NULL, OPT_FUSE_FD },
	{ "vhost-user", required_argument, NULL, OPT_VHOST_USER },
	{ "socket-path", required_argument, NULL, OPT_VHOST_USER },
	{ "fd", required_argument, NULL, OPT_FD },
	{ "thread-pool-size", required_argument, NULL, OPT_THREAD_POOL },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "print-capabilities", no_argument, NULL, OPT_PRINT_CAPS },
	{ "shared-dir", required_argument, NULL, OPT_SHARED_DIR },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "request-queues", required_argument, NULL, OPT_REQUEST_QUEUES },
	{ "notify-policy", required_argument, NULL, OPT_NOTIFY_POLICY },
	{ "notify-backend", required_argument, NULL, OPT_NOTIFY_BACKEND },
	{ "reconnect", no_argument, NULL, OPT_RECONNECT },
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "rlimit-nofile", required_argument, NULL, OPT_RLIMIT_NOFILE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};

void serve_usage(FILE *f)
{
	fprintf(f,
"usage: vfs-serve [options] SOURCE MOUNTPOINT\n"
"       vfs-serve [options] --fuse-socket=PATH|--fuse-fd=N SOURCE\n"
"       vfs-serve [options] --vhost-user=PATH|--socket-path=PATH|--fd=N SOURCE\n"
"\n"
"Serves directory SOURCE at MOUNTPOINT over /dev/fuse, as a virtio-fs\n"
"passthrough daemon would, in the foreground until SIGINT or SIGTERM.\n"
"In socket mode it serves FUSE requests from one client of a unix\n"
"SOCK_SEQPACKET socket instead (one request or reply per packet), until\n"
"that client hangs up; requests are checked as a guest's would be. As a\n"
"vhost-user back-end (a virtio-fs device for QEMU's vhost-user-fs-pci or\n"
"vfs-fuse) it serves one front-end, until it hangs up, on one thread.\n"
"\n"
"  --inode-file-handles=never|prefer|mandatory   (default: never)\n"
"        as in the Rust virtiofsd: never = an O_PATH fd per inode;\n"
"        prefer = a file handle per inode, O_PATH where the filesystem has\n"
"        no handles; mandatory = a file handle or the lookup fails.\n"
"        Handles need CAP_DAC_READ_SEARCH: without it mandatory refuses to\n"
"        start and prefer runs as never.\n"
"  --design=ids-only|v3|fixed                    (default: fixed)\n"
"        which design of the virtiofsd inodes_by_handle review to follow:\n"
"        ids-only = inodes keyed by (st_dev, st_ino, mnt_id) only, also\n"
"          without an fd (shows inode ID reuse);\n"
"        v3 = by handle, then by ids rejecting hits without an O_PATH fd;\n"
"          any handle failure falls back to O_PATH (shows duplicate inodes);\n"
"        fixed = lookup-only handles; only filesystems without handles fall\n"
"          back; at most one live inode per file.\n"
"  --mount-fd-source=first-openable|mountinfo\n"
"        where the mount fd for open_by_handle_at comes from: the first\n"
"        regular file or directory looked up on the mount (v3), or the\n"
"        mount's root from /proc/self/mountinfo (v4, Rust virtiofsd).\n"
"        Default: mountinfo for fixed, first-openable otherwise.\n"
"  --no-mount-fd=fail|o-path|lookup-only\n"
"        what a lookup does when no mount fd can be had (fixed design):\n"
"        fail with EIO, hold an O_PATH fd instead, or keep the handle for\n"
"        lookups only and retry the mount fd when the inode is used.\n"
"        Default: o-path (fail with --inode-file-handles=mandatory).\n"
"  --retired-max=N       forgotten inodes kept for their handles, so that\n"
"                        FUSE-mount file handles survive a cache drop\n"
"                        (fixed design; default: 65536)\n"
"  --state=FILE          keep the nodeids' file handles in FILE, so that a\n"
"                        restarted server resolves the guest's old nodeids\n"
"                        (and FUSE-mount file handles survive a remount):\n"
"                        a file gone or replaced is ESTALE, never another\n"
"                        file. Needs --design=fixed and\n"
"                        --inode-file-handles=prefer or mandatory\n"
"  --entry-timeout=SEC   guest dentry cache timeout (default: 1.0)\n"
"  --attr-timeout=SEC    guest attribute cache timeout (default: 1.0)\n"
"  --log=FILE            append one JSON object per inode decision to FILE\n"
"  --control=PATH        serve the control protocol on unix socket PATH\n"
"                        (see cmd/vfs-serve/CONTROL.md)\n"
"  --control-idle-timeout=SEC  drop a control client that makes no progress\n"
"                        for SEC seconds (default: 60)\n"
"  --single-thread       serve requests on one thread (default: several)\n"
"  --background          detach once mounted and serving; the exit status\n"
"                        says whether it got that far (default: foreground)\n"
"  --mount-over          mount even if MOUNTPOINT is a mount point already,\n"
"                        on top of it (default: refuse)\n"
"  --fuse-socket=PATH    socket mode: listen on a new socket at PATH\n"
"  --fuse-fd=N           socket mode: on the listening socket fd N\n"
"  --vhost-user=PATH, --socket-path=PATH\n"
"                        vhost-user mode: listen on a new socket at PATH\n"
"  --fd=N                vhost-user mode: on the listening socket fd N\n"
"  --shared-dir=DIR      SOURCE, as the Rust virtiofsd names it\n"
"  --tag=TAG             vhost-user: the tag GET_CONFIG gives (default: vfskit)\n"
"  --thread-pool-size=N  vhost-user: 0 (default) serves every queue on one\n"
"                        thread; above 0, each request queue after the\n"
"                        first has a thread of its own (--request-queues);\n"
"                        each queue is served in order\n"
"  --cache=auto|always|never  as virtiofsd's: entry and attribute timeouts\n"
"                        of 1 s, 1 day or 0 (the last of it and\n"
"                        --entry-timeout/--attr-timeout wins)\n"
"  --notify-policy=split|atomic|reserve  vhost-user: how a rename's two\n"
"                        events go to the notification queue: each in a\n"
"                        buffer of its own, both or neither, or both with a\n"
"                        buffer kept back for second halves (default: split)\n"
"  --notify-backend=auto|fanotify|fanotify-fs|inotify  vhost-user: the host\n"
"                        watcher; auto takes fanotify where it works (root),\n"
"                        else inotify; fanotify-fs marks whole filesystems\n"
"  --request-queues=N    vhost-user: offer N request queues, 1 to 6 (default 1)\n"
"  --reconnect           vhost-user: when the front-end hangs up, forget its\n"
"                        inodes and serve the next one (default: exit 0)\n"
"  --sandbox=namespace|chroot|none  confine the server to SOURCE: new\n"
"                        mount, pid and network namespaces with SOURCE as\n"
"                        the root; chroot(2) into SOURCE; or nothing. Both\n"
"                        confinements drop all capabilities but those\n"
"                        serving needs (--print-capabilities lists them).\n"
"                        Default: namespace in vhost-user mode, else none\n"
"  --seccomp=kill|log|none  a system call outside vfs-serve's allow-list\n"
"                        kills the process, is logged to the kernel log,\n"
"                        or is not filtered (default: kill in vhost-user\n"
"                        mode, else none)\n"
"  --rlimit-nofile=N     set the open file limit to N (default: raise it to\n"
"                        the hard limit)\n"
"  --print-capabilities  print the vhost-user back-end capabilities (JSON),\n"
"                        with the sandbox the other flags choose and the\n"
"                        capabilities it keeps, and exit\n"
"  --debug               print every FUSE request (libfuse debug)\n"
"  -h, --help            show this help\n"
"      --version         show the version\n"
"\n"
"Exit status: 0 after a clean unmount (socket mode: after the client hung\n"
"up), 1 on failure, 2 on a usage error.\n");
}

static int bad(const char *flag, const char *value, const char *want)
{
	fprintf(stderr, "vfs-serve: invalid value '%s' for --%s: want %s\n",
		value, flag, want);
	fprintf(stderr, "try 'vfs-serve --help'\n");
	return 2;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	/* NaN passes both range checks: isfinite() first. */
	return errno || end == s || *end || !isfinite(*out) || *out < 0 || *out > 86400 * 365 ?
		-EINVAL : 0;
}

int serve_options_parse(int argc, char **argv, struct serve_options *o)
{
	bool source_set = false, policy_set = false, sandbox_set = false, seccomp_set = false;
	const char *shared_dir = NULL;
	unsigned long long n;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->fuse_fd = -1;
	o->vhost_fd = -1;
	o->request_queues = 1;
	passthrough_config_defaults(&o->cfg);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_HANDLES:
			if (handle_policy_parse(optarg, &o->cfg.handles))
				return bad("inode-file-handles", optarg, "never, prefer or mandatory");
			break;
		case OPT_DESIGN:
			if (design_parse(optarg, &o->cfg.design))
				return bad("design", optarg, "ids-only, v3 or fixed");
			break;
		case OPT_MOUNT_FD_SOURCE:
			if (mount_fd_source_parse(optarg, &o->cfg.mount_fd_source))
				return bad("mount-fd-source", optarg, "first-openable or mountinfo");
			source_set = true;
			break;
		case OPT_NO_MOUNT_FD:
			if (no_mount_fd_parse(optarg, &o->cfg.no_mount_fd))
				return bad("no-mount-fd", optarg, "fail, o-path or lookup-only");
			policy_set = true;
			break;
		case OPT_RETIRED_MAX:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-')
				return bad("retired-max", optarg, "a whole number");
			o->cfg.retired_max = (size_t)n;
			break;
		case OPT_ENTRY_TIMEOUT:
			if (parse_seconds(optarg, &o->cfg.entry_timeout))
				return bad("entry-timeout", optarg, "seconds, 0 or more");
			break;
		case OPT_ATTR_TIMEOUT:
			if (parse_seconds(optarg, &o->cfg.attr_timeout))
				return bad("attr-timeout", optarg, "seconds, 0 or more");
			break;
		case OPT_LOG:
			o->cfg.log_path = optarg;
			break;
		case OPT_STATE:
			if (!*optarg || optarg[strlen(optarg) - 1] == '/')
				return bad("state", optarg, "a file name");
			o->cfg.state_path = optarg;
			break;
		case OPT_CONTROL:
			o->control = optarg;
			break;
		case OPT_CONTROL_IDLE: {
			double sec;

			if (parse_seconds(optarg, &sec) || sec < 0.001 || sec > 86400)
				return bad("control-idle-timeout", optarg, "seconds, 0.001 to 86400");
			o->control_idle_ms = (int)(sec * 1000);
			break;
		}
		case OPT_SINGLE_THREAD:
			o->single_thread = true;
			break;
		case OPT_BACKGROUND:
			o->background = true;
			break;
		case OPT_MOUNT_OVER:
			o->mount_over = true;
			break;
		case OPT_DEBUG:
			o->debug = true;
			break;
		case OPT_FUSE_SOCKET:
			o->fuse_socket = optarg;
			break;
		case OPT_VHOST_USER:
			o->vhost_socket = optarg;
			break;
		case OPT_FD:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n < 3 || n > 65535)
				return bad("fd", optarg, "an open fd number, 3 or more");
			o->vhost_fd = (int)n;
			break;
		case OPT_THREAD_POOL:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n > 1024)
				return bad("thread-pool-size", optarg, "0 to 1024");
			o->thread_pool_size = (int)n;
			break;
		case OPT_CACHE:
			if (!strcmp(optarg, "auto"))
				o->cfg.entry_timeout = o->cfg.attr_timeout = 1.0;
			else if (!strcmp(optarg, "always"))
				o->cfg.entry_timeout = o->cfg.attr_timeout = 86400;
			else if (!strcmp(optarg, "never"))
				o->cfg.entry_timeout = o->cfg.attr_timeout = 0;
			else
				return bad("cache", optarg, "auto, always or never");
			break;
		case OPT_PRINT_CAPS:
			o->print_capabilities = true;
			break;
		case OPT_SANDBOX: {
			enum sandbox_mode m;

			if (sandbox_mode_parse(optarg, &m))
				return bad("sandbox", optarg, "namespace, chroot or none");
			o->sandbox = (int)m;
			sandbox_set = true;
			break;
		}
		case OPT_SECCOMP: {
			enum seccomp_action a;

			if (seccomp_action_parse(optarg, &a))
				return bad("seccomp", optarg, "kill, log or none");
			o->seccomp = (int)a;
			seccomp_set = true;
			break;
		}
		case OPT_RLIMIT_NOFILE:
			if (number_parse(optarg, 1u << 30, &n) || n < 64)
				return bad("rlimit-nofile", optarg, "64 to 1073741824");
			o->rlimit_nofile = (unsigned long)n;
			break;
		case OPT_SHARED_DIR:
			shared_dir = optarg;
			break;
		case OPT_RECONNECT:
			o->reconnect = true;
			break;
		case OPT_NOTIFY_POLICY: {
			enum notify_policy p;

			if (notify_policy_parse(optarg, &p))
				return bad("notify-policy", optarg, "split, atomic or reserve");
			o->notify_policy = (int)p;
			break;
		}
		case OPT_NOTIFY_BACKEND: {
			enum notify_backend b;

			if (notify_backend_parse(optarg, &b))
				return bad("notify-backend", optarg, "auto, fanotify, fanotify-fs or inotify");
			o->notify_backend = (int)b;
			break;
		}
		case OPT_REQUEST_QUEUES:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n < 1 || n > 6)
				return bad("request-queues", optarg, "1 to 6");
			o->request_queues = (int)n;
			break;
		case OPT_TAG:
			if (!*optarg || strlen(optarg) > 36)
				return bad("tag", optarg, "1 to 36 bytes");
			o->tag = optarg;
			break;
		case OPT_FUSE_FD:
			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n < 3 || n > 65535)
				return bad("fuse-fd", optarg, "an open fd number, 3 or more");
			o->fuse_fd = (int)n;
			break;
		case 'h':
			o->help = true;
			return 0;
		case OPT_VERSION:
			o->version = true;
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "vfs-serve: option needs a value or is unknown: -%c\n",
					optopt);
			else
				fprintf(stderr, "vfs-serve: unknown option '%s'\n", argv[optind - 1]);
			serve_usage(stderr);
			return 2;
		}
	}
	/* vhost-user mode, where a guest is on the other side: confined unless told not. */
	if (!sandbox_set)
		o->sandbox = o->vhost_socket || o->vhost_fd >= 0 || o->print_capabilities ?
			SANDBOX_NAMESPACE : SANDBOX_NONE;
	if (!seccomp_set)
		o->seccomp = o->vhost_socket || o->vhost_fd >= 0 || o->print_capabilities ?
			SECCOMP_ACTION_KILL : SECCOMP_ACTION_NONE;
	if (o->print_capabilities)
		return 0;
	if (!!o->fuse_socket + (o->fuse_fd >= 0) + !!o->vhost_socket + (o->vhost_fd >= 0) > 1) {
		fprintf(stderr, "vfs-serve: --fuse-socket, --fuse-fd, --vhost-user and --fd are "
			"one or the other\n");
		return 2;
	}
	if (o->reconnect && !o->vhost_socket && o->vhost_fd < 0) {
		fprintf(stderr, "vfs-serve: --reconnect is for vhost-user mode (--vhost-user, --fd)\n");
		return 2;
	}
	if (shared_dir && argc - optind > 0) {
		fprintf(stderr, "vfs-serve: --shared-dir and a SOURCE argument are one or the other\n");
		return 2;
	}
	if (shared_dir && (o->vhost_socket || o->vhost_fd >= 0)) {
		o->cfg.source = shared_dir;
		goto control_path;
	}
	if ((o->fuse_socket || o->fuse_fd >= 0 || o->vhost_socket || o->vhost_fd >= 0) &&
	    (o->mount_over || argc - optind != 1)) {
		fprintf(stderr, o->mount_over ? "vfs-serve: --mount-over needs a mount, not "
			"socket mode\n" : "vfs-serve: socket mode needs SOURCE only (got %d "
			"arguments)\n", argc - optind);
		serve_usage(stderr);
		return 2;
	}
	if (o->fuse_socket || o->fuse_fd >= 0 || o->vhost_socket || o->vhost_fd >= 0) {
		o->cfg.source = argv[optind];
		goto control_path;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "vfs-serve: need SOURCE and MOUNTPOINT (got %d argument%s)\n",
			argc - optind, argc - optind == 1 ? "" : "s");
		serve_usage(stderr);
		return 2;
	}
	o->cfg.source = argv[optind];
	o->mountpoint = argv[optind + 1];
	if (o->mountpoint[0] != '/' && realpath(o->mountpoint, o->mountpoint_abs))
		o->mountpoint = o->mountpoint_abs;
control_path:
	if (o->control && o->control[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(o->control_abs, sizeof(o->control_abs), "%s/%s", cwd, o->control) >=
			    (int)sizeof(o->control_abs)) {
			fprintf(stderr, "vfs-serve: cannot make --control %s an absolute path\n",
				o->control);
			return 2;
		}
		o->control = o->control_abs;
	}
	if (o->cfg.state_path &&
	    (o->cfg.design != DESIGN_FIXED || o->cfg.handles == HANDLES_NEVER)) {
		fprintf(stderr, "vfs-serve: --state needs --design=fixed and "
			"--inode-file-handles=prefer or mandatory: only a file handle names "
			"a file across a restart\n");
		return 2;
	}
	if (!source_set)
		o->cfg.mount_fd_source = o->cfg.design == DESIGN_FIXED ?
			MOUNT_FD_MOUNTINFO : MOUNT_FD_FIRST_OPENABLE;
	if (o->cfg.handles == HANDLES_MANDATORY) {
		if (policy_set && o->cfg.no_mount_fd == NO_MOUNT_FD_OPATH) {
			fprintf(stderr, "vfs-serve: --no-mount-fd=o-path contradicts "
				"--inode-file-handles=mandatory\n");
			return 2;
		}
		if (!policy_set)
			o->cfg.no_mount_fd = NO_MOUNT_FD_FAIL;
	}
	return 0;
}
