/*
 * vfs-inject: one vocabulary of faults, two ways in: the fault points of a
 * running vfs-serve (its control socket), and the system calls of any
 * program, started under a seccomp user-notification supervisor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control_client.h"
#include "obs/inject_spec.h"
#include "supervise.h"

#define MAX_SPECS 64

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfs-inject --control SOCKET arm POINT ERRNO [SCHEDULE]\n"
"       vfs-inject --control SOCKET clear POINT|all\n"
"       vfs-inject --control SOCKET list\n"
"       vfs-inject exec [--fail SPEC]... [--log FILE] [-v] -- COMMAND [ARG]...\n"
"\n"
"--control: arm, clear and list the fault points of a running vfs-serve\n"
"(handle_generate, mount_fd_open, open_by_handle, opath_open,\n"
"notify_second_half); list shows how many calls each saw and how many\n"
"it failed.\n"
"\n"
"exec: runs COMMAND with system call faults injected, without changing it\n"
"(seccomp user notification). Its threads, children and exec'd programs\n"
"stay covered, also inside namespaces and under a seccomp filter of its\n"
"own. The exit status is COMMAND's (128+N if killed by signal N).\n"
"\n"
"  --control SOCKET  the control socket of a running vfs-serve\n"
"  --fail SPEC   SYSCALL=ERRNO[:CLAUSE]...; clauses, any order:\n"
"                  every | nth=N | first=N | prob=P[,seed=S]   (default: every;\n"
"                    counted over the calls that match the other clauses)\n"
"                  path=GLOB        the path argument, as the program passed it\n"
"                  flags=F[|F]      open flags that must all be set (O_NOCTTY...)\n"
"                  noflags=F[|F]    open flags that must all be clear\n"
"                  armed=FILE       calls count and fail only while FILE\n"
"                                   exists (arm a fault after start-up)\n"
"                  forked           only in threads and processes other than\n"
"                                   the one started\n"
"                SYSCALL: %s\n"
"                e.g. name_to_handle_at=EOPNOTSUPP:nth=2\n"
"                     openat=EACCES:flags=O_NOCTTY:path=/srv/*\n"
"  --log FILE    append one JSON object per injected call (time, pid, tid,\n"
"                syscall, args, errno)\n"
"  -v            print how many calls each spec matched and failed\n"
"  -h, --help    show this help\n"
"      --version show the version\n"
"\n"
"The path is read from the program's memory after it made the call; another\n"
"thread could change it in between, so a path match can miss or hit such a\n"
"racing call, but never lets through a call that would otherwise fail.\n"
"If vfs-inject dies, the calls it was watching fail with ENOSYS from then\n"
"on (the kernel's answer when no supervisor listens): the program sees\n"
"errors, it does not hang.\n"
"\n"
"Exit status: COMMAND's, or 1 (--control: an err reply), 2 (usage error;\n"
"COMMAND is not started), 126/127 (COMMAND could not be started).\n",
		syscall_names());
}

static int control(const char *sock, int argc, char **argv)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	int fd, r;

	if (argc < 1 || (!strcmp(argv[0], "arm") && (argc < 3 || argc > 4)) ||
	    (!strcmp(argv[0], "clear") && argc != 2) || (!strcmp(argv[0], "list") && argc != 1) ||
	    (strcmp(argv[0], "arm") && strcmp(argv[0], "clear") && strcmp(argv[0], "list"))) {
		fprintf(stderr, "vfs-inject: --control wants: arm POINT ERRNO [SCHEDULE] | "
			"clear POINT|all | list\n");
		return 2;
	}
	strbuf_addf(&cmd, "fault");
	for (int i = 0; i < argc; i++)
		strbuf_addf(&cmd, " %s", argv[i]);
	fd = control_connect(sock);
	if (fd < 0) {
		fprintf(stderr, "vfs-inject: cannot connect to %s: %s\n", sock, strerror(-fd));
		strbuf_release(&cmd);
		return 1;
	}
	r = control_request(fd, cmd.buf, &out);
	close(fd);
	if (r < 0)
		fprintf(stderr, "vfs-inject: %s: %s\n", sock, strerror(-r));
	else
		fputs(out.buf, r ? stderr : stdout);
	strbuf_release(&cmd);
	strbuf_release(&out);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 'C' },
		{ "fail", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct spec specs[MAX_SPECS];
	const char *control_sock = NULL, *log_path = NULL;
	int nspecs = 0, c, log_fd = -1, rc;
	bool verbose = false, exec_mode;
	char why[512];

	exec_mode = argc > 1 && !strcmp(argv[1], "exec");
	if (exec_mode) {
		argv++;
		argc--;
	}
	opterr = 0;
	/* '+': stop at the first non-option, so COMMAND's own options are its. */
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			control_sock = optarg;
			break;
		case 'f':
			if (nspecs == MAX_SPECS) {
				fprintf(stderr, "vfs-inject: at most %d --fail specs\n", MAX_SPECS);
				return 2;
			}
			if (spec_parse(optarg, &specs[nspecs], why, sizeof(why))) {
				fprintf(stderr, "vfs-inject: --fail: %s\n", why);
				return 2;
			}
			nspecs++;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vfs-inject (vfskit) %s\n", VFSKIT_VERSION);
			return 0;
		default:
			fprintf(stderr, "vfs-inject: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			fprintf(stderr, "try 'vfs-inject --help'\n");
			return 2;
		}
	}
	if (control_sock) {
		if (exec_mode || nspecs || log_path) {
			fprintf(stderr, "vfs-inject: --control does not go with exec, --fail or --log\n");
			return 2;
		}
		return control(control_sock, argc - optind, argv + optind);
	}
	if (!exec_mode) {
		fprintf(stderr, "vfs-inject: say exec or --control (try 'vfs-inject --help')\n");
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "vfs-inject: exec: no COMMAND given (after --)\n");
		return 2;
	}
	if (!nspecs)
		fprintf(stderr, "vfs-inject: warning: no --fail spec: nothing will be injected\n");
	if (log_path) {
		log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "vfs-inject: cannot open log %s: %s\n", log_path, strerror(errno));
			return 2;
		}
	}
	rc = supervise_exec(specs, nspecs, argv + optind, log_fd, verbose);
	for (int i = 0; i < nspecs; i++)
		spec_free(&specs[i]);
	if (log_fd >= 0)
		close(log_fd);
	return rc;
}
