/*
 * vfs-watch: the events a virtio-fs guest would receive about changes on
 * the host, printed as inotifywait prints them (or as JSON lines): it
 * starts vfs-serve as a vhost-user back-end on SOURCE, plays the guest
 * through vfskit's front-end (VIRTIO_FS_F_NOTIFICATION, buffers posted on
 * the notification queue), watches the given directories, and prints
 * each event, renames rejoined.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "notify/notify_driver.h"
#include "util/errno_name.h"
#include "util/json_line.h"
#include "util/mono_clock.h"

#define MAX_WATCHES 32

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfs-watch [options] --source=DIR [PATH...]\n"
"\n"
"Prints the change events a virtio-fs guest receives about DIR's directory\n"
"PATH (relative to DIR; default: DIR itself), one line each, like\n"
"inotifywait: it runs vfs-serve --vhost-user on DIR and plays the guest,\n"
"with the notification queue of VIRTIO_FS_F_NOTIFICATION. A rename whose\n"
"halves both arrive is one RENAME line; a half alone is MOVED_FROM or\n"
"MOVED_TO; events the device had no buffer for are one OVERFLOW line.\n"
"\n"
"  --source=DIR          the directory to serve and watch in (required)\n"
"  --policy=split|atomic|reserve  the device's rename policy (default: split)\n"
"  --backend=auto|fanotify|fanotify-fs|inotify  the device's host watcher\n"
"                        (vfs-serve --notify-backend; default: auto)\n"
"  --buffers=N           buffers posted on the notification queue (1 to 64;\n"
"                        default: 16)\n"
"  --hold                keep a buffer while its rename's partner is awaited\n"
"  --orphan-ms=MS        how long to await a partner (default: 1000)\n"
"  -j, --json            one JSON object per event\n"
"  -c, --count=N         exit after N events\n"
"  -t, --timeout=SEC     exit after SEC seconds\n"
"  --serve=PATH          the vfs-serve binary (default: beside vfs-watch)\n"
"  -h, --help            show this help\n"
"      --version         show the version\n"
"\n"
"Exit status: 0 after SIGINT, the count or the timeout; 1 when the daemon\n"
"could not be started, a PATH could not be watched, or the daemon ended;\n"
"2 on a usage error.\n");
}

struct options {
	const char *source, *serve;
	char serve_buf[PATH_MAX];
	enum notify_policy policy;
	enum notify_backend backend;
	int buffers, orphan_ms;
	bool hold, json;
	long count;
	double timeout;
};

static int whole(const char *s, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || end == s || *end || *v < lo || *v > hi ? -EINVAL : 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "source", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "backend", required_argument, NULL, 'B' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "hold", no_argument, NULL, 'H' },
		{ "orphan-ms", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "serve", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	long v;
	int c, idx = 0;

	*o = (struct options){ .policy = NOTIFY_SPLIT, .backend = NOTIFY_BACKEND_AUTO, .buffers = 16,
			       .orphan_ms = 1000 };
	exe[n > 0 ? n : 0] = '\0';
	snprintf(o->serve_buf, sizeof(o->serve_buf), "%s/vfs-serve", dirname(exe));
	o->serve = o->serve_buf;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jc:t:h", longs, &idx)) != -1) {
		switch (c) {
		case 's': o->source = optarg; break;
		case 'S': o->serve = optarg; break;
		case 'H': o->hold = true; break;
		case 'j': o->json = true; break;
		case 'p':
			if (notify_policy_parse(optarg, &o->policy))
				goto bad;
			break;
		case 'B':
			if (notify_backend_parse(optarg, &o->backend))
				goto bad;
			break;
		case 'b':
			if (whole(optarg, 1, NOTIFY_DRIVER_MAX_BUFS, &v))
				goto bad;
			o->buffers = (int)v;
			break;
		case 'o':
			if (whole(optarg, 1, 60000, &v))
				goto bad;
			o->orphan_ms = (int)v;
			break;
		case 'c':
			if (whole(optarg, 1, 1L << 30, &o->count))
				goto bad;
			break;
		case 't': {
			char *end;

			o->timeout = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(o->timeout) || o->timeout <= 0 ||
			    o->timeout > 86400)
				goto bad;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("vfs-watch (vfskit) %s\n", VFSKIT_VERSION);
			exit(0);
		default:
			fprintf(stderr, "vfs-watch: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			fprintf(stderr, "try 'vfs-watch --help'\n");
			return 2;
		}
	}
	if (!o->source) {
		fprintf(stderr, "vfs-watch: --source=DIR is required\n");
		return 2;
	}
	return 0;
bad:
	/* idx names the long option; -c and -t come here by their letter. */
	fprintf(stderr, "vfs-watch: invalid value '%s' for --%s\n", optarg,
		c == 'c' ? "count" : c == 't' ? "timeout" : longs[idx].name);
	return 2;
}

struct watched {
	uint64_t nodeid;
	const char *path;
};

static const char *path_of(const struct watched *w, int n, uint64_t nodeid)
{
	for (int i = 0; i < n; i++)
		if (w[i].nodeid == nodeid)
			return w[i].path;
	return "?";
}

/* Each component of @path looked up from the root: the directory's nodeid, or -errno. */
static int lookup_path(struct fuse_client *c, const char *path, uint64_t *nodeid)
{
	char *copy = strdup(path), *save, *part;
	uint64_t at = 1;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (part = strtok_r(copy, "/", &save); part && !r; part = strtok_r(NULL, "/", &save)) {
		struct fuse_entry_out e;

		if (!strcmp(part, "."))
			continue;
		r = fc_lookup(c, at, part, &e);
		if (!r && !S_ISDIR(e.attr.mode))
			r = -ENOTDIR;
		if (!r)
			at = e.nodeid;
	}
	free(copy);
	*nodeid = at;
	return r;
}

static void print(const struct options *o, const struct watched *w, int nw,
		  const struct notify_delivery *d)
{
	bool rename = (d->mask & IN_MOVED_FROM) && (d->mask & IN_MOVED_TO);
	const char *kind = rename ? "RENAME" : notify_mask_name(d->mask);

	if (o->json) {
		struct json_line j;

		json_begin(&j);
		json_str(&j, "event", kind);
		if (d->mask & IN_Q_OVERFLOW) {
			json_u64(&j, "lost", d->cookie);
		} else {
			json_str(&j, "dir", path_of(w, nw, d->nodeid));
			json_str(&j, "name", d->name);
			if (rename) {
				json_str(&j, "to_dir", path_of(w, nw, d->to_nodeid));
				json_str(&j, "to_name", d->to_name);
			}
			json_u64(&j, "nodeid", d->nodeid);
			json_u64(&j, "cookie", d->cookie);
		}
		fwrite(j.buf, 1, json_end(&j), stdout);
	} else if (d->mask & IN_Q_OVERFLOW) {
		printf("OVERFLOW %u events lost\n", d->cookie);
	} else if (rename) {
		printf("%s/ RENAME %s %s/ %s\n", path_of(w, nw, d->nodeid), d->name,
		       path_of(w, nw, d->to_nodeid), d->to_name);
	} else {
		printf("%s/ %s %s\n", path_of(w, nw, d->nodeid), kind, d->name);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct options o;
	struct fuse_target t;
	struct vu_front_config vc;
	struct notify_driver d;
	struct watched w[MAX_WATCHES];
	char policy[32], backend[48], how[64], dir[] = "/tmp/vfs-watch.XXXXXX";
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = parse(argc, argv, &o), nw = 0, r;
	long seen = 0;
	long long end;

	if (rc)
		return rc;
	if (argc - optind > MAX_WATCHES) {
		fprintf(stderr, "vfs-watch: at most %d directories\n", MAX_WATCHES);
		return 2;
	}
	snprintf(policy, sizeof(policy), "--notify-policy=%s", notify_policy_name(o.policy));
	snprintf(backend, sizeof(backend), "--notify-backend=%s", notify_backend_name(o.backend));
	char *serve[] = { (char *)o.serve, policy, backend, "--fd={fd}", "{source}", NULL };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "vfs-watch: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	vu_front_config_default(&vc);
	vc.notification = true;
	rc = 1;
	r = fuse_target_open(&t, FUSE_TARGET_VHOST_USER, serve, NULL, o.source, dir, "/dev/stderr",
			     &vc, NULL, false);
	if (r) {
		fprintf(stderr, "vfs-watch: %s\n", t.err.msg);
		goto out;
	}
	r = notify_driver_start(&d, t.front, o.buffers, VFSKIT_NOTIFY_BUF_MIN, o.hold, o.orphan_ms);
	if (r) {
		fprintf(stderr, "vfs-watch: the notification queue: %s\n", strerror(-r));
		goto out;
	}
	for (int i = optind; i <= argc && nw < MAX_WATCHES; i++) {
		const char *path = i < argc ? argv[i] : ".";

		if (i == argc && nw)
			break;
		w[nw].path = path;
		r = lookup_path(&t.client, path, &w[nw].nodeid);
		if (!r)
			r = fc_watch(&t.client, w[nw].nodeid, IN_CREATE | IN_DELETE | IN_MOVED_FROM |
				     IN_MOVED_TO | IN_MODIFY | IN_ATTRIB, false);
		if (r) {
			fprintf(stderr, "vfs-watch: cannot watch %s: %s\n", path,
				errno_name(-r) ? errno_name(-r) : strerror(-r));
			goto out;
		}
		nw++;
	}
	fprintf(stderr, "vfs-watch: watching %d director%s of %s (policy %s, %d buffers)\n", nw,
		nw == 1 ? "y" : "ies", o.source, notify_policy_name(o.policy), o.buffers);
	end = o.timeout ? mono_ms() + (long long)(o.timeout * 1000) : 0;
	rc = 0;
	while (!stop && (!o.count || seen < o.count)) {
		struct notify_delivery ev;
		int ms = 200;

		if (end && mono_ms() >= end)
			break;
		r = notify_driver_next(&d, ms, &ev);
		if (r < 0) {
			fprintf(stderr, "vfs-watch: the daemon is gone\n");
			rc = 1;
			break;
		}
		if (r) {
			print(&o, w, nw, &ev);
			seen++;
		}
	}
out:
	fuse_target_close(&t, 2000, how, sizeof(how));
	if (strcmp(how, "exit 0") && strcmp(how, "not started here"))
		fprintf(stderr, "vfs-watch: vfs-serve: %s\n", how);
	rmdir(dir);
	return rc;
}
