/*
 * daemon: the back-end runs in its own process group, so its sandboxed
 * children (the C virtiofsd forks its worker into a new PID namespace)
 * are signalled with it, and with PR_SET_PDEATHSIG so it never outlives a
 * runner that is killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transport/daemon.h"
#include "util/strbuf.h"
#include "util/mono_clock.h"

/* @cmd with {socket}, {fd}, {source}, {devfuse} and {dir} replaced; malloc'd, or NULL. */
static char *daemon_command(const char *cmd, const char *socket, const char *fd, const char *source,
			    const char *dir)
{
	static const char *const key[] = { "{socket}", "{fd}", "{source}", "{devfuse}", "{dir}" };
	const char *val[] = { socket, fd, source, "/dev/fd/3", dir };
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = cmd; *p; p++) {
		int k = 0;

		while (k < 5 && strncmp(p, key[k], strlen(key[k])))
			k++;
		if (k < 5) {
			strbuf_addstr(&sb, val[k] ? val[k] : "");
			p += strlen(key[k]) - 1;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	if (sb.failed) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static void describe_status(int status, char *desc, size_t len)
{
	if (WIFEXITED(status))
		snprintf(desc, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(desc, len, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?", WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(desc, len, "status %#x", status);
}

int daemon_ended(struct daemon *d, int wait_ms, char *desc, size_t len)
{
	if (!d->reaped && d->pid > 0) {
		int fd = (int)syscall(SYS_pidfd_open, d->pid, 0);

		if (fd >= 0 && wait_ms > 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			while (poll(&p, 1, wait_ms) < 0 && errno == EINTR)
				;
		}
		if (fd >= 0)
			close(fd);
		if (waitpid(d->pid, &d->status, WNOHANG) == d->pid)
			d->reaped = true;
	}
	if (!d->reaped) {
		snprintf(desc, len, "running");
		return 0;
	}
	describe_status(d->status, desc, len);
	return 1;
}

void daemon_stop(struct daemon *d, int grace_ms)
{
	char desc[64];

	if (d->pid <= 0)
		return;
	if (!d->reaped) {
		kill(-d->pid, SIGTERM);
		if (!daemon_ended(d, grace_ms, desc, sizeof(desc))) {
			kill(-d->pid, SIGKILL);
			while (waitpid(d->pid, &d->status, 0) < 0 && errno == EINTR)
				;
			d->reaped = true;
		}
	}
	/* Its children too, whatever the leader did. */
	kill(-d->pid, SIGKILL);
}

static pid_t spawner; /* who forked the child: its death signal comes from there */
static long child_nofile; /* daemon_nofile's */

void daemon_nofile(long n)
{
	child_nofile = n;
}

static void child(char **argv, int listen_fd, const char *log)
{
	/*
	 * /dev/stderr is ours, shared, not reopened: a reopened file has an
	 * offset of its own, and the two would write over each other.
	 */
	bool ours = !strcmp(log, "/dev/stderr");
	int fd = ours ? 2 : open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != spawner)
		_exit(126); /* it died before the line above: no signal would come */
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(1, 2) < 0)
		_exit(126);
	if (listen_fd >= 0 && (listen_fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(listen_fd, 3)) < 0)
		_exit(126);
	/* Lowered in the child: the runner could not raise its own hard limit back unprivileged. */
	if (child_nofile) {
		struct rlimit rl = { (rlim_t)child_nofile, (rlim_t)child_nofile };

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(126);
	}
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* A listening socket at an abstract address of its own. */
static int listen_abstract(int socktype, struct sockaddr_un *a, socklen_t *alen)
{
	static unsigned seq;
	int fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	*alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "vfskit-vhost-user-%d-%u",
			 (int)getpid(), seq++));
	if (bind(fd, (struct sockaddr *)a, *alen) < 0 || listen(fd, 1) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static bool any_word_has(char *const argv[], const char *key)
{
	for (int i = 0; argv[i]; i++)
		if (strstr(argv[i], key))
			return true;
	return false;
}

static void free_words(char **w)
{
	for (int i = 0; w && w[i]; i++)
		free(w[i]);
	free(w);
}

/* @argv's words with the placeholders replaced, malloc'd; NULL on ENOMEM. */
static char **words_of(char *const argv[], const char *socket, const char *source,
		       const char *dir)
{
	int n = 0;
	char **words;

	while (argv[n])
		n++;
	words = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; words && i < n; i++)
		if (!(words[i] = daemon_command(argv[i], socket, "3", source, dir))) {
			free_words(words);
			return NULL;
		}
	return words;
}

int daemon_spawn(struct daemon *d, char *const argv[], int listen_fd, const char *socket,
		 const char *source, const char *log, struct errbuf *e)
{
	char **words = words_of(argv, socket ? socket : "", source, "");

	memset(d, 0, sizeof(*d));
	if (!words)
		return errbuf_set(e, -ENOMEM, "daemon command");
	spawner = getpid();
	d->pid = fork();
	if (d->pid == 0)
		child(words, listen_fd, log);
	free_words(words);
	if (d->pid < 0)
		return errbuf_set(e, -errno, "fork");
	setpgid(d->pid, d->pid);
	return 0;
}

/*
 * {devfuse}: libfuse takes /dev/fd/N as a /dev/fuse fd already open
 * (fuse_session_mount, libfuse 3.3+) and mounts nothing; N is one end of
 * a SOCK_SEQPACKET pair, so each read(2) is one request and each
 * writev(2) one reply, as on /dev/fuse.
 */
static int start_devfuse(struct daemon *d, char *const argv[], const char *source,
			 const char *dir, const char *log, struct errbuf *e)
{
	int sv[2], err;
	char **words = words_of(argv, "", source, dir);

	if (!words)
		return errbuf_set(e, -ENOMEM, "daemon command");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free_words(words);
		return errbuf_set(e, -errno, "socketpair");
	}
	spawner = getpid();
	d->pid = fork();
	if (d->pid == 0)
		child(words, sv[1], log);
	err = d->pid < 0 ? -errno : 0;
	free_words(words);
	close(sv[1]);
	if (err) {
		close(sv[0]);
		return errbuf_set(e, err, "fork");
	}
	setpgid(d->pid, d->pid);
	d->devfuse = true;
	return sv[0];
}

int daemon_start(struct daemon *d, char *const argv[], int socktype, const char *source,
		 const char *dir, const char *log, int timeout_ms, struct errbuf *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t alen = sizeof(a);
	bool by_fd = any_word_has(argv, "{fd}");
	int lfd = -1, sock, err;
	long long deadline = mono_ms() + timeout_ms;
	char **words, desc[64];

	memset(d, 0, sizeof(*d));
	if (any_word_has(argv, "{devfuse}"))
		return start_devfuse(d, argv, source, dir, log, e);
	if (!by_fd && !any_word_has(argv, "{socket}"))
		return errbuf_set(e, -EINVAL, "the command has neither {socket}, {fd} nor {devfuse}");
	if (by_fd) {
		lfd = listen_abstract(socktype, &a, &alen);
		if (lfd < 0)
			return errbuf_set(e, lfd, "cannot make the daemon's socket");
	} else if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s/vhost-user.sock", dir) >=
		   sizeof(a.sun_path)) {
		return errbuf_set(e, -ENAMETOOLONG, "socket path under %s", dir);
	}
	words = words_of(argv, a.sun_path, source, dir);
	if (!words) {
		err = errbuf_set(e, -ENOMEM, "daemon command");
		goto fail;
	}
	spawner = getpid();
	d->pid = fork();
	if (d->pid == 0)
		child(words, lfd, log);
	free_words(words);
	if (d->pid < 0) {
		err = errbuf_set(e, -errno, "fork");
		goto fail;
	}
	setpgid(d->pid, d->pid); /* as the child does: no race with a kill */
	sock = socket(AF_UNIX, socktype | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		err = errbuf_set(e, -errno, "socket");
		goto fail;
	}
	/* {fd}: the backlog takes it now. {socket}: the daemon creates it when ready. */
	while (connect(sock, (struct sockaddr *)&a, by_fd ? alen : sizeof(a)) < 0) {
		if (daemon_ended(d, 0, desc, sizeof(desc))) {
			err = errbuf_set(e, -ECONNREFUSED, "the daemon ended (%s) before serving", desc);
			goto fail_sock;
		}
		if (mono_ms() > deadline) {
			err = errbuf_set(e, -ETIMEDOUT, "no socket at %s after %d ms", a.sun_path,
					 timeout_ms);
			goto fail_sock;
		}
		/* Another program's file: there is nothing to block on until it exists. */
		usleep(1000);
	}
	if (lfd >= 0)
		close(lfd);
	return sock;
fail_sock:
	close(sock);
fail:
	if (lfd >= 0)
		close(lfd);
	return err;
}
