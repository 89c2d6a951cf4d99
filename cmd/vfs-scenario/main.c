/*
 * vfs-scenario: runs scenario files against vfs-serve in each design (the
 * matrix), or against any FUSE passthrough server, and says whether each
 * outcome is the one the scenario declares.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/control_client.h"
#include "paths.h"
#include "core/config.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "util/array.h"

#define VIRTIOFSD_DEFAULT "/usr/lib/qemu/virtiofsd"

static volatile int stop_flag;
static volatile int timed_out;
static volatile pid_t server_pid;
static volatile pid_t qemu_pid;   /* --guest=vm: the guest goes with the server */

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		timed_out = 1;
	else
		stop_flag = sig;
	/* Killing the server aborts its FUSE connection: a blocked step returns. */
	if (server_pid > 0)
		kill(server_pid, SIGKILL);
	if (qemu_pid > 0)
		kill(-qemu_pid, SIGKILL);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfs-scenario [options] [SCENARIO|DIR|FAMILY...]\n"
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
"                       virtiofsd (the C virtiofsd, through vfskit's\n"
"                       vhost-user front-end) and fixed-vhost (vfs-serve\n"
"                       --vhost-user, fixed design) (default: the designs)\n"
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
"  --virtiofsd=PATH     the C virtiofsd of the virtiofsd target (default:\n"
"                       " VIRTIOFSD_DEFAULT ")\n"
"  --guest=mount|vm     where guest steps run: a FUSE mount on this host\n"
"                       (default), or a real Linux guest: QEMU boots the\n"
"                       image of fixtures/guest/ against each vhost-user\n"
"                       target (virtiofsd, fixed-vhost, --vhost-user), and\n"
"                       mount scenarios run there too\n"
"  --guest-image=DIR    the guest's vmlinuz and initrd.gz (default: the\n"
"                       source tree's build/guest, made by make guest)\n"
"  --serve=PATH         the vfs-serve binary (default: beside vfs-scenario)\n"
"  --fixtures=DIR       the fixture scripts (default: found beside the\n"
"                       scenarios, as they are)\n"
"  --timeout=SECONDS    time limit per scenario run (default: 60)\n"
"  --tap                print TAP version 13 instead of the table\n"
"  --junit=FILE         also write JUnit XML to FILE\n"
"  --check              parse the scenarios, report errors, run nothing\n"
"  --mutate             check the checks: on each target where a scenario\n"
"                       passes, run it again once per expectation with that\n"
"                       one negated; report every expectation whose scenario\n"
"                       still passes (it decides nothing); exit 1 if any\n"
"  -v, --verbose        print every step and its result\n"
"  -h, --help           show this help\n"
"      --version        show the version\n"
"\n"
"Exit status: 0 if every outcome is as declared (PASS, or the bug\n"
"reproduced on a design the scenario says has it; SKIP does not count),\n"
"1 otherwise, 2 on a usage or scenario file error, 130 if interrupted.\n");
}

struct options {
	int designs[TARGET_COUNT]; /* the targets: designs, then libfuse examples */
	int ndesigns;
	char examples[PATH_MAX];   /* where the libfuse examples are built */
	char inject[PATH_MAX];     /* the vfs-inject binary */
	const char *server_cmd;
	const char *vhost_cmd;     /* --vhost-user */
	bool guest_vm;             /* --guest=vm */
	char guest_image[PATH_MAX];
	const char *virtiofsd;
	char serve[PATH_MAX];
	char fixtures[PATH_MAX];
	bool fixtures_set;
	int timeout;
	bool tap, check, verbose, mutate;
	const char *junit;
};

/* --design (designs only) or --targets (designs and libfuse examples). */
static int parse_designs(const char *s, struct options *o, bool examples_too)
{
	char *copy = strdup(s), *save, *tok;
	int d;

	o->ndesigns = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (target_parse(tok, &d) || (!examples_too && d > DESIGN_FIXED) ||
		    o->ndesigns == TARGET_COUNT) {
			fprintf(stderr, "vfs-scenario: unknown %s '%s' (%s)\n",
				examples_too ? "target" : "design", tok,
				examples_too ? TARGET_NAMES : "ids-only, v3, fixed");
			free(copy);
			return -1;
		}
		o->designs[o->ndesigns++] = d;
	}
	free(copy);
	return o->ndesigns ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "design", required_argument, NULL, 'D' },
		{ "targets", required_argument, NULL, 'G' },
		{ "examples", required_argument, NULL, 'E' },
		{ "server", required_argument, NULL, 'S' },
		{ "vhost-user", required_argument, NULL, 'U' },
		{ "virtiofsd", required_argument, NULL, 'O' },
		{ "guest", required_argument, NULL, 'g' },
		{ "guest-image", required_argument, NULL, 'I' },
		{ "serve", required_argument, NULL, 'B' },
		{ "fixtures", required_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "tap", no_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'J' },
		{ "check", no_argument, NULL, 'c' },
		{ "mutate", no_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	char exe[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int c;

	memset(o, 0, sizeof(*o));
	o->designs[0] = DESIGN_IDS_ONLY;
	o->designs[1] = DESIGN_V3;
	o->designs[2] = DESIGN_FIXED;
	o->ndesigns = 3;
	o->timeout = 60;
	o->virtiofsd = VIRTIOFSD_DEFAULT;
	exe[n > 0 ? n : 0] = '\0';
	dir = dirname(exe);
	snprintf(o->serve, sizeof(o->serve), "%s/vfs-serve", dir);
	snprintf(o->inject, sizeof(o->inject), "%s/vfs-inject", dir);
	snprintf(o->examples, sizeof(o->examples), "%s/../bench", dir);
	/* build/guest whatever the build tree: the image is not instrumented. */
	snprintf(o->guest_image, sizeof(o->guest_image), "%s/../../build/guest", dir);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
		case 'G':
			if (parse_designs(optarg, o, c == 'G'))
				return 2;
			break;
		case 'E':
			snprintf(o->examples, sizeof(o->examples), "%s", optarg);
			break;
		case 'S':
			if (!strstr(optarg, "{source}") || !strstr(optarg, "{mountpoint}")) {
				fprintf(stderr, "vfs-scenario: --server needs {source} and {mountpoint} "
					"in its command\n");
				return 2;
			}
			o->server_cmd = optarg;
			break;
		case 'U':
			if (!strstr(optarg, "{socket}") && !strstr(optarg, "{fd}")) {
				fprintf(stderr, "vfs-scenario: --vhost-user needs {socket} or {fd} "
					"in its command\n");
				return 2;
			}
			o->vhost_cmd = optarg;
			break;
		case 'O':
			o->virtiofsd = optarg;
			break;
		case 'g':
			if (strcmp(optarg, "vm") && strcmp(optarg, "mount")) {
				fprintf(stderr, "vfs-scenario: invalid value '%s' for --guest: want "
					"mount or vm\n", optarg);
				return 2;
			}
			o->guest_vm = !strcmp(optarg, "vm");
			break;
		case 'I':
			snprintf(o->guest_image, sizeof(o->guest_image), "%s", optarg);
			break;
		case 'B':
			snprintf(o->serve, sizeof(o->serve), "%s", optarg);
			break;
		case 'F':
			snprintf(o->fixtures, sizeof(o->fixtures), "%s", optarg);
			o->fixtures_set = true;
			break;
		case 'T':
			o->timeout = whole_number(optarg, 1, 3600) ? atoi(optarg) : 0;
			if (!o->timeout) {
				fprintf(stderr, "vfs-scenario: invalid value '%s' for --timeout: "
					"want 1 to 3600 seconds\n", optarg);
				return 2;
			}
			break;
		case 't': o->tap = true; break;
		case 'J': o->junit = optarg; break;
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
	return 0;
}

struct files {
	char **path;
	int n;
	size_t cap;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *path, struct files *fs, int *errors)
{
	struct stat st;
	struct dirent **list;
	int n;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		(*errors)++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		char *copy = strdup(path);

		if (!copy || ARRAY_GROW(fs->path, (size_t)fs->n + 1, fs->cap)) {
			fprintf(stderr, "vfs-scenario: out of memory listing %s\n", path);
			free(copy);
			(*errors)++;
			return;
		}
		fs->path[fs->n++] = copy;
		return;
	}
	n = scandir(path, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[PATH_MAX];
		size_t len = strlen(list[i]->d_name);

		snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
		if (list[i]->d_name[0] != '.' &&
		    (list[i]->d_type == DT_DIR || (len > 4 && !strcmp(list[i]->d_name + len - 4, ".scn"))))
			collect(sub, fs, errors);
		free(list[i]);
	}
	free(list);
}

static bool is_family_word(const char *w)
{
	return *w && strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789-_/") == strlen(w) &&
	       w[0] != '/' && !strstr(w, "..");
}

/*
 * What to run: the paths given; a word that is no path is a family (or
 * family/name) of the scenarios found by data_dir_find; nothing at all is
 * every scenario found. Also settles the fixtures' default.
 */
static int find_scenarios(struct options *o, int n, char **args, struct files *fs,
			  int *errors)
{
	struct strbuf looked = STRBUF_INIT;
	char root[PATH_MAX];
	bool have_root = data_dir_find("scenarios", root, sizeof(root), &looked) == 0;
	int rc = 0;

	if (!o->fixtures_set) {
		struct strbuf fl = STRBUF_INIT;

		if (data_dir_find("fixtures", o->fixtures, sizeof(o->fixtures), &fl))
			snprintf(o->fixtures, sizeof(o->fixtures), "fixtures");
		strbuf_release(&fl);
	}
	if (!n && !have_root) {
		fprintf(stderr, "vfs-scenario: no scenarios given, and none installed; "
			"looked in: %s\n", looked.buf);
		rc = 2;
	} else if (!n) {
		collect(root, fs, errors);
	}
	if (o->verbose && have_root)
		fprintf(stderr, "vfs-scenario: scenarios from %s, fixtures from %s\n", root,
			o->fixtures);
	for (int i = 0; i < n && !rc; i++) {
		char sub[PATH_MAX + 300];
		struct stat st;

		if (stat(args[i], &st) == 0 || !is_family_word(args[i])) {
			collect(args[i], fs, errors);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", root, args[i]);
		if (have_root && stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			collect(sub, fs, errors);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s.scn", root, args[i]);
		if (have_root && stat(sub, &st) == 0) {
			collect(sub, fs, errors);
			continue;
		}
		if (have_root)
			fprintf(stderr, "vfs-scenario: %s: no such file, and no family or scenario "
				"of that name in %s\n", args[i], root);
		else
			fprintf(stderr, "vfs-scenario: %s: no such file, and no installed scenarios "
				"(looked in: %s)\n", args[i], looked.buf);
		(*errors)++;
	}
	strbuf_release(&looked);
	return rc;
}

/* "family/name" from ".../family/name.scn". */
static char *short_name(const char *path)
{
	char *copy = strdup(path), *base = strrchr(copy, '/'), *out;
	char *dot = strrchr(copy, '.');

	if (dot && !strcmp(dot, ".scn"))
		*dot = '\0';
	if (base) {
		*base = '\0';
		char *fam = strrchr(copy, '/');

		if (asprintf(&out, "%s/%s", fam ? fam + 1 : copy, base + 1) < 0)
			out = NULL;
	} else {
		out = strdup(copy);
	}
	free(copy);
	return out;
}

/* The tail of a file, for failure reports. */
static void tail(const char *path, int lines, struct strbuf *out)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *ring[64] = { 0 };
	size_t cap = 0;
	int n = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		free(ring[n % lines]);
		ring[n++ % lines] = strdup(line);
	}
	for (int i = n > lines ? n - lines : 0; i < n; i++) {
		strbuf_addf(out, "    %s", ring[i % lines]);
		free(ring[i % lines]);
		ring[i % lines] = NULL;
	}
	for (int i = 0; i < lines; i++)
		free(ring[i]);
	free(line);
	fclose(f);
}

static char *substitute(const char *cmd, const char *source, const char *mnt)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = cmd; *p; p++) {
		if (!strncmp(p, "{source}", 8)) {
			strbuf_addstr(&sb, source);
			p += 7;
		} else if (!strncmp(p, "{mountpoint}", 12)) {
			strbuf_addstr(&sb, mnt);
			p += 11;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	return strbuf_detach(&sb);
}

/*
 * The command that serves @source at @mnt for @target: vfs-serve in a
 * design, a libfuse example, or the --server command; wrapped in
 * vfs-inject exec when the scenario injects faults. Strings it builds are
 * kept in @store (freed by the caller).
 */
/* A formatted string kept in the next of @store's slots; NULL (slot NULL) on ENOMEM. */
static char *keep(char **store, int *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *keep(char **store, int *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&store[*k], fmt, ap);
	va_end(ap);
	if (n < 0)
		store[*k] = NULL;
	return store[(*k)++];
}

/* vfs-inject exec --fail SPEC... -- in front of the daemon, when the scenario injects; how many words. */
static int inject_prefix(const struct options *o, const struct scenario *s, char **argv)
{
	int argc = 0;

	for (int i = 0; i < s->ninject; i++) {
		if (!i) {
			argv[argc++] = (char *)o->inject;
			argv[argc++] = "exec";
		}
		argv[argc++] = "--fail";
		argv[argc++] = s->inject[i];
	}
	if (s->ninject)
		argv[argc++] = "--";
	return argc;
}

/* vfs-serve in @design with the runner's control socket, log and the scenario's options. */
static int serve_argv(const struct options *o, const struct scenario *s, int design,
		      const char *ctl, const char *log, char **argv, int argc, char **store, int *k)
{
	argv[argc++] = (char *)o->serve;
	argv[argc++] = keep(store, k, "--design=%s", design_name(design));
	if (!argv[argc - 1])
		return -ENOMEM;
	argv[argc++] = "--control";
	argv[argc++] = (char *)ctl;
	argv[argc++] = "--log";
	argv[argc++] = (char *)log;
	for (int i = 0; i < s->nserver_args; i++)
		argv[argc++] = s->server_args[i];
	return argc;
}

static int target_argv(const struct options *o, const struct scenario *s, int target,
		       const char *source, const char *mnt, const char *ctl, const char *log,
		       char **argv, char **store)
{
	int argc = 0, k = 0;

	argc = inject_prefix(o, s, argv);
	if (target == REPORT_FOREIGN) {
		char *cmd = substitute(o->server_cmd, source, mnt);

		argv[argc++] = "/bin/sh";
		argv[argc++] = "-c";
		/* exec: the daemon is the process the runner started (daemon steps). */
		argv[argc++] = cmd ? keep(store, &k, "exec %s", cmd) : NULL;
		free(cmd);
		if (!argv[argc - 1])
			return -ENOMEM;
	} else if (target > DESIGN_FIXED) {
		argv[argc++] = keep(store, &k, "%s/%s", o->examples, target_name(target));
		argv[argc++] = "-f";
		argv[argc++] = "-o";
		if (target == TARGET_PASSTHROUGH_LL) {
			argv[argc++] = keep(store, &k, "source=%s,allow_other,default_permissions",
					    source);
		} else {
			/* The high-level examples serve / unless told a subdir. */
			argv[argc++] = "allow_other,default_permissions";
			argv[argc++] = "-o";
			argv[argc++] = keep(store, &k, "modules=subdir,subdir=%s", source);
		}
		argv[argc++] = (char *)mnt;
		if (!store[0] || !store[1])
			return -ENOMEM;
		if (access(store[0], X_OK) < 0)
			return -errno;
	} else {
		argc = serve_argv(o, s, target, ctl, log, argv, argc, store, &k);
		if (argc < 0)
			return argc;
		argv[argc++] = (char *)source;
		argv[argc++] = (char *)mnt;
	}
	argv[argc] = NULL;
	return 0;
}

/*
 * A protocol run's daemon: vfs-serve in socket mode (a design), the C
 * virtiofsd, or the --vhost-user command, with {fd}/{socket} left for
 * daemon_start; in vfs-inject exec when the scenario injects faults.
 */
static int protocol_argv(const struct options *o, const struct scenario *s, int target,
			 const char *source, const char *ctl, const char *log, char **argv,
			 char **store, enum fuse_target_kind *kind)
{
	int argc = 0, k = 0;

	argc = inject_prefix(o, s, argv);
	*kind = FUSE_TARGET_VHOST_USER;
	if (target == REPORT_FOREIGN) {
		argv[argc++] = "/bin/sh";
		argv[argc++] = "-c";
		argv[argc++] = keep(store, &k, "exec %s", o->vhost_cmd);
		if (!argv[argc - 1])
			return -ENOMEM;
	} else if (target == TARGET_VIRTIOFSD) {
		if (access(o->virtiofsd, X_OK) < 0)
			return -errno;
		argv[argc++] = (char *)o->virtiofsd;
		argv[argc++] = "--fd={fd}";
		argv[argc++] = "-o";
		argv[argc++] = keep(store, &k, "source=%s", source);
		if (!argv[argc - 1])
			return -ENOMEM;
	} else {
		bool vhost = target == TARGET_FIXED_VHOST;

		*kind = vhost ? FUSE_TARGET_VHOST_USER : FUSE_TARGET_SOCKET;
		argc = serve_argv(o, s, vhost ? DESIGN_FIXED : target, ctl, log, argv, argc, store, &k);
		if (argc < 0)
			return argc;
		/*
		 * One thread: a FORGET has no reply to wait for, so only a server
		 * that takes requests in order makes "forget, then getattr" mean
		 * what it says (vhost-user returns its chain instead).
		 */
		argv[argc++] = "--single-thread";
		argv[argc++] = vhost ? "--fd={fd}" : "--fuse-fd={fd}";
		argv[argc++] = (char *)source;
	}
	argv[argc] = NULL;
	return 0;
}

static bool has_background(const struct scenario *s)
{
	for (int i = 0; i < s->nsteps; i++)
		if (s->steps[i].background)
			return true;
	return false;
}

/* A mount scenario on this target runs in a VM: a vhost-user target, with --guest=vm. */
static bool in_vm(const struct options *o, const struct scenario *s, int target)
{
	return o->guest_vm && !s->protocol &&
	       (target >= TARGET_VIRTIOFSD || (target == REPORT_FOREIGN && o->vhost_cmd));
}

/* Whether @s runs on @target at all: n/a (not counted) otherwise. */
static bool applies(const struct options *o, const struct scenario *s, int target)
{
	/* Background blocks share one connection to the guest's agent: not yet. */
	if (in_vm(o, s, target))
		return !has_background(s) && (target == REPORT_FOREIGN ? !s->only :
					      !s->only || (s->only & (1u << target)));
	if (target == REPORT_FOREIGN)
		return !s->only && (s->protocol ? o->vhost_cmd != NULL : o->server_cmd != NULL);
	if (s->only && !(s->only & (1u << target)))
		return false;
	/* Protocol scenarios need a FUSE client's way in; mount ones a /dev/fuse server. */
	if (s->protocol)
		return target <= DESIGN_FIXED || target >= TARGET_VIRTIOFSD;
	return target < TARGET_VIRTIOFSD;
}

/* One scenario against one target. */
static void run_one(const struct options *o, const char *workdir, struct scenario *s,
		    int target, struct results *rs)
{
	char dir[PATH_MAX + 8], source[PATH_MAX + 16], mnt[PATH_MAX + 16], ctl[PATH_MAX + 16];
	char log[PATH_MAX + 32], errlog[PATH_MAX + 32], *store[4] = { 0 };
	char *argv[SCENARIO_MAX_SERVER_ARGS + 2 * SCENARIO_MAX_INJECT + 16];
	struct run_ctx ctx = { .s = s, .control_fd = -1, .verbose = o->verbose,
			       .report = STRBUF_INIT, .fields = FUSE_WORDS_OUT_INIT,
			       .stop = &stop_flag };
	struct server sv = { 0 };
	struct fuse_target ft = { 0 };
	struct vm vm = { .agent = -1 };
	bool vm_run = in_vm(o, s, target);
	enum fuse_target_kind kind = FUSE_TARGET_SOCKET;
	struct strbuf details = STRBUF_INIT;
	bool held, ours = (target >= 0 && target <= DESIGN_FIXED) || target == TARGET_FIXED_VHOST;
	char how[64] = "";
	int err;

	snprintf(dir, sizeof(dir), "%s/run", workdir);
	snprintf(source, sizeof(source), "%s/source", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	snprintf(log, sizeof(log), "%s/decisions.log", dir);
	snprintf(errlog, sizeof(errlog), "%s/server.err", dir);
	if (o->verbose)
		fprintf(stderr, "%s [%s]\n", s->name,
			target == REPORT_FOREIGN ? "server" : target_name(target));
	err = s->protocol || vm_run ? protocol_argv(o, s, target, source, ctl, log, argv, store, &kind)
				    : target_argv(o, s, target, source, mnt, ctl, log, argv, store);
	if (err) {
		strbuf_addf(&details, "cannot run %s: %s (build it: make build-tests)\n",
			    store[0] ? store[0] : target_name(target), strerror(-err));
		results_add(rs, s, target, OUTCOME_SKIP, details.buf, NULL);
		goto out_store;
	}
	err = fixture_build(o->fixtures, s->fixture, dir, errlog);
	if (err) {
		strbuf_addf(&details, "fixture %s could not be built (%s); its output:\n",
			    s->fixture, strerror(-err));
		tail(errlog, 10, &details);
		results_add(rs, s, target, OUTCOME_FAIL, NULL, details.buf);
		goto out;
	}
	if (vm_run) {
		struct errbuf e;

		err = vm_start(&vm, argv, source, dir, errlog, o->guest_image, &e);
		server_pid = vm.daemon.pid;
		if (err) {
			strbuf_addf(&details, "the guest did not come up: %s; the daemon's output:\n",
				    e.msg);
			tail(errlog, 6, &details);
			strbuf_addf(&details, "  the guest's console (last lines):\n");
			tail(vm.console, 20, &details); /* a panic's first line, its trace after */
			vm_stop(&vm, how, sizeof(how));
			server_pid = 0;
			results_add(rs, s, target, OUTCOME_FAIL, NULL, details.buf);
			goto out;
		}
		ctx.vm = &vm;
		ctx.server_pid = vm.daemon.pid;
		qemu_pid = vm.qemu.pid;
	} else if (s->protocol) {
		struct vu_front_config vc;

		vu_front_config_default(&vc);
		vc.timeout_ms = 10000; /* ASan builds of a daemon are slow to start */
		vc.notification = true; /* taken where offered: notify steps need it */
		err = fuse_target_open(&ft, kind, argv, NULL, source, dir, errlog, &vc, false);
		server_pid = ft.daemon.pid;
		if (err) {
			strbuf_addf(&details, "the daemon did not serve: %s; its output:\n",
				    ft.err.msg);
			fuse_target_close(&ft, 1000, how, sizeof(how));
			server_pid = 0;
			tail(errlog, 10, &details);
			results_add(rs, s, target, OUTCOME_FAIL, NULL, details.buf);
			goto out;
		}
		ctx.fuse = &ft;
		ctx.server_pid = ft.daemon.pid;
	} else {
		err = server_start(&sv, argv, mnt, errlog, s->nofile);
		if (err) {
			strbuf_addf(&details, "the server did not mount (%s); its output:\n",
				    strerror(-err));
			tail(errlog, 10, &details);
			results_add(rs, s, target, OUTCOME_FAIL, NULL, details.buf);
			goto out;
		}
		server_pid = sv.pid;
		ctx.server_pid = sv.pid;
	}
	if (ours) {
		ctx.control_fd = control_connect(ctl);
		if (ctx.control_fd < 0) {
			strbuf_addf(&details, "cannot connect to the control socket: %s\n",
				    strerror(-ctx.control_fd));
			results_add(rs, s, target, OUTCOME_FAIL, NULL, details.buf);
			goto out_server;
		}
	}
	ctx.guest_root = vm_run ? "/mnt" : mnt; /* the guest's own mount, where the agent works */
	ctx.host_root = source;
	ctx.control_path = ctl;
	timed_out = 0;
	alarm((unsigned)o->timeout);
	held = run_scenario(&ctx);
	alarm(0);
	if (timed_out)
		strbuf_addf(&ctx.report, "timed out after %d s\n", o->timeout);
	if (vm_run || s->protocol) {
		/* Hung up: a daemon ends now; how it ends counts unless a step asked. */
		if (vm_run)
			vm_stop(&vm, how, sizeof(how));
		else
			fuse_target_close(&ft, 5000, how, sizeof(how));
		server_pid = 0;
		if (held && !ctx.status_asked && strcmp(how, "exit 0")) {
			strbuf_addf(&ctx.report, "after the last step the daemon ended: %s (a "
				    "scenario that expects this says so with daemon status)\n", how);
			held = false;
		}
	}
	if (!held) {
		strbuf_addstr(&details, ctx.report.buf);
		if (ours) {
			strbuf_addf(&details, "  decision log (last lines):\n");
			tail(log, 8, &details);
		}
		strbuf_addf(&details, "  server stderr (last lines):\n");
		tail(errlog, 5, &details);
		if (vm_run) {
			strbuf_addf(&details, "  the guest's console (last lines):\n");
			tail(vm.console, 8, &details);
		}
	}
	if (stop_flag && !timed_out) {
		results_add(rs, s, target, OUTCOME_SKIP, "interrupted", NULL);
	} else if (ctx.premise_failed) {
		char why[512];

		snprintf(why, sizeof(why), "premise did not hold: %s", ctx.report.buf);
		results_add(rs, s, target, OUTCOME_SKIP, why, NULL);
	} else {
		results_add(rs, s, target,
			    target == REPORT_FOREIGN ? (held ? OUTCOME_PASS : OUTCOME_FAIL)
						     : judge(s, target, &ctx, held),
			    NULL, details.buf);
	}
	strbuf_release(&ctx.report);
	fuse_words_out_release(&ctx.fields);
	if (ctx.control_fd >= 0)
		close(ctx.control_fd);
out_server:
	server_pid = 0;
	qemu_pid = 0;
	if (vm_run)
		vm_stop(&vm, how, sizeof(how));
	else if (s->protocol)
		fuse_target_close(&ft, 1000, how, sizeof(how));
	else
		server_stop(&sv);
out:
	fixture_teardown(dir);
out_store:
	strbuf_release(&details);
	for (int k = 0; k < 4; k++)
		free(store[k]);
}

/* The outcome of one run of @s on @target, without keeping it. */
static enum outcome outcome_of(const struct options *o, const char *workdir,
			       struct scenario *s, int target)
{
	struct results one = { 0 };
	enum outcome r;

	run_one(o, workdir, s, target, &one);
	r = one.n ? one.r[0].outcome : OUTCOME_SKIP;
	results_free(&one);
	return r;
}

/*
 * --mutate: an expectation that still holds when negated never decided
 * anything (a step that was skipped, a comparison that cannot fail).
 * Returns how many such expectations there were.
 */
static int mutate(const struct options *o, const char *workdir, struct scenario **sc, int nsc)
{
	int tried = 0, vacuous = 0;

	for (int i = 0; i < nsc && !stop_flag; i++) {
		for (int d = 0; d < o->ndesigns && !stop_flag; d++) {
			int t = o->designs[d];

			if (!applies(o, sc[i], t) || outcome_of(o, workdir, sc[i], t) != OUTCOME_PASS)
				continue;
			for (int k = 0; k < sc[i]->nsteps && !stop_flag; k++) {
				struct expect *e = &sc[i]->steps[k].expect;

				if (!sc[i]->steps[k].op || sc[i]->steps[k].assume ||
				    e->type == EXPECT_NONE || e->type == EXPECT_ANY)
					continue;
				tried++;
				e->negate = !e->negate;
				if (outcome_of(o, workdir, sc[i], t) == OUTCOME_PASS) {
					printf("vacuous %s:%d [%s]: the scenario still passes with "
					       "this expectation negated\n", sc[i]->path,
					       sc[i]->steps[k].line, target_name(t));
					vacuous++;
				}
				e->negate = !e->negate;
			}
		}
	}
	printf("vfs-scenario: mutate: %d expectations negated, %d vacuous\n", tried, vacuous);
	return vacuous;
}

static const char *unmet(const struct scenario *s)
{
	if ((s->requires & REQUIRES_ROOT) && geteuid() != 0)
		return "needs root";
	if ((s->requires & REQUIRES_LOOP) && access("/dev/loop-control", W_OK) < 0)
		return "needs loop devices (/dev/loop-control)";
	if (!s->protocol && access("/dev/fuse", R_OK | W_OK) < 0)
		return "needs /dev/fuse";
	return NULL;
}

int main(int argc, char **argv)
{
	struct options o;
	struct files fs = { 0 };
	struct scenario **sc;
	struct results rs = { 0 };
	char workdir[PATH_MAX];
	int errors = 0, rc = parse_options(argc, argv, &o), unexpected = 0, nsc = 0;
	int foreign_col[1] = { REPORT_FOREIGN };
	bool foreign;
	struct sigaction sa = { .sa_handler = on_signal };

	if (rc)
		return rc;
	foreign = o.server_cmd || o.vhost_cmd;
	rc = find_scenarios(&o, argc - optind, argv + optind, &fs, &errors);
	if (rc)
		return rc;
	qsort(fs.path, (size_t)fs.n, sizeof(char *), cmp_str);
	sc = calloc((size_t)fs.n + 1, sizeof(*sc));
	for (int i = 0; i < fs.n; i++) {
		sc[nsc] = scenario_parse(fs.path[i], stderr);
		if (!sc[nsc]) {
			errors++;
			continue;
		}
		sc[nsc]->name = short_name(fs.path[i]);
		nsc++;
	}
	if (errors || !nsc) {
		fprintf(stderr, "vfs-scenario: %s\n", errors ? "scenario errors; nothing was run"
						      : "no scenario files found");
		rc = 2;
		goto out;
	}
	if (o.check) {
		printf("vfs-scenario: %d scenario%s parse\n", nsc, nsc == 1 ? "" : "s");
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (geteuid() == 0) {
		rc = sandbox_enter(workdir, sizeof(workdir));
		if (rc) {
			fprintf(stderr, "vfs-scenario: cannot make a private mount namespace: %s\n",
				strerror(-rc));
			rc = 1;
			goto out;
		}
	}
	if (o.mutate) {
		rc = mutate(&o, workdir, sc, nsc) ? 1 : 0;
		if (geteuid() == 0)
			sandbox_leave(workdir);
		rc = stop_flag ? 130 : rc;
		goto out;
	}
	for (int i = 0; i < nsc; i++) {
		const char *why = unmet(sc[i]);
		int nd = foreign ? 1 : o.ndesigns;

		for (int d = 0; d < nd; d++) {
			int design = foreign ? REPORT_FOREIGN : o.designs[d];

			/* Not applicable (a target's own policy, or its kind): n/a, not counted. */
			if (!applies(&o, sc[i], design))
				continue;
			if (why || stop_flag)
				results_add(&rs, sc[i], design, OUTCOME_SKIP,
					    why ? why : "interrupted", NULL);
			else
				run_one(&o, workdir, sc[i], design, &rs);
		}
	}
	if (geteuid() == 0)
		sandbox_leave(workdir);
	if (o.tap)
		report_tap(stdout, &rs);
	else
		report_table(stdout, &rs, foreign ? foreign_col : o.designs,
			     foreign ? 1 : o.ndesigns, isatty(1), o.verbose);
	if (o.junit && report_junit(o.junit, &rs))
		fprintf(stderr, "vfs-scenario: cannot write %s: %s\n", o.junit, strerror(errno));
	if (o.tap)
		printf("# ");
	report_totals(stdout, &rs);
	for (int i = 0; i < rs.n; i++)
		unexpected += result_unexpected(&rs.r[i]);
	unexpected += rs.lost;
	results_free(&rs);
	rc = stop_flag ? 130 : unexpected ? 1 : 0;
out:
	for (int i = 0; i < nsc; i++)
		scenario_free(sc[i]);
	free(sc);
	for (int i = 0; i < fs.n; i++)
		free(fs.path[i]);
	free(fs.path);
	return rc;
}
