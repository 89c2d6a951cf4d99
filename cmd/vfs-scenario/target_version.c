/* target_version: a target's program, version and options (target_version.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/target_argv.h"
#include "target_version.h"
#include "util/mono_clock.h"

extern char **environ;

/*
 * The first line of @argv's output that has a digit in it (a version),
 * within 5 seconds: a daemon that ignores --version and starts serving is
 * killed, and says nothing.
 */
static void first_version_line(char *const *argv, char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	char buf[4096];
	size_t got = 0;
	long long deadline = mono_ms() + 5000;
	int p[2], status;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC))
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (pid > 0 && got < sizeof(buf) - 1) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long long left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		n = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (pid > 0) {
		kill(pid, SIGKILL); /* gone already, or it would not stop */
		waitpid(pid, &status, 0);
	}
	buf[got] = '\0';
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* libfuse's examples say fusermount3's version first: the library's is theirs. */
		if (strpbrk(line, "0123456789") && strncmp(line, "fusermount", 10)) {
			size_t n = strlen(line) < len ? strlen(line) : len - 1;

			memcpy(out, line, n);
			out[n] = '\0';
			return;
		}
	}
}

/* Debian's version of the package that holds @path, if dpkg knows it. */
static void package_version(const char *path, char *out, size_t len)
{
	char cmd[4400];
	FILE *f;

	out[0] = '\0';
	if (strchr(path, '\''))
		return;
	snprintf(cmd, sizeof(cmd), "p=$(dpkg-query -S '%s' 2>/dev/null | cut -d: -f1 | head -1) && "
		 "[ -n \"$p\" ] && dpkg-query -W -f='${Package} ${Version}' \"$p\" 2>/dev/null", path);
	f = popen(cmd, "re");
	if (!f)
		return;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	pclose(f);
}

void target_about(const struct options *o, const struct target *t, struct target_about *a)
{
	struct target_run run = { .source = "/nonexistent", .mnt = "/nonexistent",
				  .ctl = "/nonexistent", .log = "/nonexistent" };
	struct strvec argv = STRVEC_INIT, opts = STRVEC_INIT;
	size_t prog = 0;
	bool vhost;
	int err;

	memset(a, 0, sizeof(*a));
	if (t->base->kind == TARGET_FOREIGN) {
		snprintf(a->program, sizeof(a->program), "%s",
			 o->paths.server_cmd ? o->paths.server_cmd : o->paths.vhost_cmd);
		return;
	}
	err = target_mount_argv(t, &o->paths, &run, &argv);
	if (err == -EINVAL) {
		strvec_clear(&argv);
		err = target_protocol_argv(t, &o->paths, &run, &argv, &vhost);
	}
	/* Past "env -u VAR" (the Rust virtiofsd is started without RUST_BACKTRACE). */
	if (argv.nr > 3 && !strcmp(argv.v[0], "/usr/bin/env") && !strcmp(argv.v[1], "-u"))
		prog = 3;
	if (argv.nr > prog) {
		char *real = realpath(argv.v[prog], NULL); /* build/bin/../bench/x: the file itself */

		snprintf(a->program, sizeof(a->program), "%s", real ? real : argv.v[prog]);
		free(real);
	}
	target_option_args(t, &opts);
	for (size_t i = 0; i < opts.nr; i++)
		snprintf(a->options + strlen(a->options), sizeof(a->options) - strlen(a->options),
			 "%s%s", i ? " " : "", opts.v[i]);
	if (!err && argv.nr > prog) {
		char *const version_argv[] = { argv.v[prog], "--version", NULL };

		if (t->base->program)
			package_version(argv.v[prog], a->version, sizeof(a->version));
		if (!a->version[0])
			first_version_line(version_argv, a->version, sizeof(a->version));
	}
	strvec_clear(&argv);
	strvec_clear(&opts);
}
