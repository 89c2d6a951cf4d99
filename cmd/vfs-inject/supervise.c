/*
 * supervise: the target is forked, loads the filter, passes the listener
 * fd to us over a socketpair and execs. We then answer each notification.
 *
 * Reading a path argument from the target's memory (process_vm_readv) is
 * racy by nature: another thread of the target may change the string
 * between our read and the kernel's. We only use what we read to decide
 * whether to inject a failure, never to let a call through that would
 * otherwise fail, so the race can only make a fault fire or not fire on
 * that one call. seccomp_notify_id_valid afterwards makes sure the thread
 * we read from is still the one that made the call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "obs/notify_sync.h"
#include "util/errno_name.h"
#include "util/fd_pass.h"
#include "util/json_line.h"
#include "supervise.h"


/* In the child: load the filter, hand over the listener, become the target. */
static void child(struct spec *specs, int nspecs, int sock, char **argv)
{
	scmp_filter_ctx ctx;
	int fd;

	if (!nspecs) {
		/* Nothing to watch: no filter, no listener; the parent just waits. */
		close(sock);
		goto run;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		goto fail;
	for (int i = 0; i < nspecs; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, specs[i].nr, 0) < 0)
			goto fail;
	/* As root, leave setuid programs working: no NO_NEW_PRIVS needed. */
	if (geteuid() == 0)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (seccomp_load(ctx) < 0)
		goto fail;
	fd = seccomp_notify_fd(ctx);
	if (fd < 0 || fd_pass_send(sock, fd))
		goto fail;
	close(fd);
	close(sock);
	seccomp_release(ctx);
run:
	execvp(argv[0], argv);
	fprintf(stderr, "vfs-inject: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
fail:
	fprintf(stderr, "vfs-inject: cannot install the seccomp filter: %s\n", strerror(errno));
	_exit(126);
}

/* A NUL-terminated string from the target's memory, at most @len bytes. */
static int read_string(pid_t pid, unsigned long addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got + 1 < len) {
		/*
		 * Never read across a page end (the next page may not be mapped),
		 * and 256 bytes at a time: most paths are short, and a read to the
		 * page end would copy up to 4 KiB on every watched call.
		 */
		size_t chunk = 4096 - ((addr + got) & 4095);

		if (chunk > 256)
			chunk = 256;
		struct iovec local = { buf + got, chunk < len - 1 - got ? chunk : len - 1 - got };
		struct iovec remote = { (void *)(addr + got), local.iov_len };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n <= 0)
			return -errno;
		if (memchr(buf + got, '\0', (size_t)n))
			return 0;
		got += (size_t)n;
	}
	buf[len - 1] = '\0';
	return 0;
}

struct call {
	const struct seccomp_notif *req;
	pid_t target;
	char path[PATH_MAX];
	bool have_path;
	unsigned long flags;
	bool have_flags;
};

static void read_args(struct call *c, const struct syscall_info *sys)
{
	const struct seccomp_notif *req = c->req;

	if (sys->path_arg >= 0 && !c->have_path)
		c->have_path = !read_string(req->pid, req->data.args[sys->path_arg], c->path,
					    sizeof(c->path));
	if (sys->flags_arg >= 0) {
		c->flags = req->data.args[sys->flags_arg];
		c->have_flags = true;
	} else if (sys->flags_arg == -2 && !c->have_flags) {
		struct open_how how;
		struct iovec l = { &how, sizeof(how) }, r = { (void *)req->data.args[2], sizeof(how) };

		if (process_vm_readv(req->pid, &l, 1, &r, 1, 0) == sizeof(how)) {
			c->flags = how.flags;
			c->have_flags = true;
		}
	}
}

static bool matches(struct spec *s, struct call *c)
{
	if (s->nr != c->req->data.nr)
		return false;
	if (s->forked_only && c->req->pid == (unsigned)c->target)
		return false;
	read_args(c, s->sys);
	if (s->path && (!c->have_path || fnmatch(s->path, c->path, 0)))
		return false;
	if ((s->flags_set || s->flags_clear) &&
	    (!c->have_flags || (c->flags & s->flags_set) != s->flags_set ||
	     (c->flags & s->flags_clear)))
		return false;
	/* Checked last, so only calls that match otherwise pay for the access(). */
	if (s->armed_file && access(s->armed_file, F_OK))
		return false;
	return true;
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid;
}

static void log_injection(int log_fd, const struct spec *s, struct call *c)
{
	struct json_line j;
	struct timespec ts;
	char args[PATH_MAX + 64];

	if (log_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_begin(&j);
	json_u64(&j, "ts_ns", (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	json_i64(&j, "pid", tgid_of((pid_t)c->req->pid));
	json_i64(&j, "tid", c->req->pid);
	json_str(&j, "syscall", s->sys->name);
	read_args(c, s->sys);
	if (c->have_path && c->have_flags)
		snprintf(args, sizeof(args), "path=%s flags=0x%lx", c->path, c->flags);
	else if (c->have_path)
		snprintf(args, sizeof(args), "path=%s", c->path);
	else
		snprintf(args, sizeof(args), "arg0=%lld arg1=0x%llx",
			 (long long)c->req->data.args[0], (unsigned long long)c->req->data.args[1]);
	json_str(&j, "args", args);
	json_str(&j, "errno", errno_name(s->err) ? errno_name(s->err) : "?");
	json_u64(&j, "call", s->calls);
	json_end(&j);
	if (write(log_fd, j.buf, j.len) < 0) {
		/* the log is advisory: a full disk must not stop the target */
	}
}

/* Answers one notification. */
static void answer(int nfd, struct spec *specs, int nspecs, pid_t target, int log_fd,
		   struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	struct call c = { .req = req, .target = target };
	struct spec *hit = NULL;

	for (int i = 0; i < nspecs; i++) {
		struct spec *s = &specs[i];

		if (!matches(s, &c))
			continue;
		s->calls++;
		if (!hit && fault_schedule_fires(&s->sched, s->calls, &s->rng)) {
			s->fired++;
			hit = s;
		}
	}
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	/* The thread may have died and its pid been reused since we read. */
	if (hit && seccomp_notify_id_valid(nfd, req->id) == 0) {
		resp->error = -hit->err;
		log_injection(log_fd, hit, &c);
	} else {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	if (seccomp_notify_respond(nfd, resp) < 0) {
		/* ENOENT: the caller was killed meanwhile; nothing to answer. */
	}
}

static volatile pid_t target_pid;

/* SIGTERM/SIGHUP meant to stop the command: pass them on and keep serving it. */
/*
 * The end of the target, seen by a second thread: a receive that waits
 * cannot see it (nothing wakes it when the last task using the filter
 * goes), so the watcher waits for POLLHUP and then interrupts the
 * receiving thread with SIGUSR1 until it has noticed.
 */
static volatile sig_atomic_t hung_up, main_noticed;

static void on_wake(int sig)
{
	(void)sig; /* only to interrupt the receive */
}

struct watch {
	int nfd;
	pthread_t receiver;
};

static void *watch_hangup(void *arg)
{
	struct watch *w = arg;
	struct pollfd p = { .fd = w->nfd, .events = 0 }; /* HUP is reported anyway */
	struct timespec tick = { 0, 10 * 1000000 };

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	hung_up = 1;
	while (!main_noticed) {
		pthread_kill(w->receiver, SIGUSR1);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static void forward(int sig)
{
	if (target_pid > 0)
		kill(target_pid, sig);
}

int supervise_exec(struct spec *specs, int nspecs, char **argv, int log_fd, bool verbose)
{
	struct sigaction sa = { .sa_handler = forward }, ign = { .sa_handler = SIG_IGN };
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct sigaction wake = { .sa_handler = on_wake }; /* no SA_RESTART */
	struct watch watch;
	pthread_t watcher;
	bool have_watcher = false;
	int sv[2], nfd, status = 0, err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 126;
	pid = fork();
	if (pid < 0)
		return 126;
	if (pid == 0) {
		close(sv[0]);
		child(specs, nspecs, sv[1], argv);
	}
	close(sv[1]);
	target_pid = pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A terminal's SIGINT reaches the command through its process group. */
	sigaction(SIGINT, &ign, NULL);
	nfd = nspecs ? fd_pass_recv(sv[0]) : -1;
	close(sv[0]);
	if (nfd < 0) {
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 126;
	}
	sigemptyset(&wake.sa_mask);
	sigaction(SIGUSR1, &wake, NULL);
	err = notify_sync_wake_up(nfd);
	if (err && verbose)
		fprintf(stderr, "vfs-inject: no synchronous wake-up (SECCOMP_IOCTL_NOTIF_SET_FLAGS: "
			"%s): each watched call may wake the supervisor on another CPU\n",
			strerror(-err));
	if (seccomp_notify_alloc(&req, &resp) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 126;
	}
	/*
	 * Until every task using the filter is gone. The wait is in the
	 * receive itself: one system call a notification, not a poll and a
	 * receive (the watcher thread sees the hang-up).
	 */
	watch.nfd = nfd;
	watch.receiver = pthread_self();
	if (pthread_create(&watcher, NULL, watch_hangup, &watch) == 0)
		have_watcher = true;
	while (have_watcher && !hung_up) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(nfd, req) == 0)
			answer(nfd, specs, nspecs, pid, log_fd, req, resp);
		else if (errno != EINTR && errno != ENOENT)
			break;
	}
	/* Without a watcher thread: the old way, a poll before each receive. */
	for (; !have_watcher;) {
		struct pollfd p = { .fd = nfd, .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p.revents & POLLIN) {
			memset(req, 0, sizeof(*req));
			if (seccomp_notify_receive(nfd, req) == 0)
				answer(nfd, specs, nspecs, pid, log_fd, req, resp);
			continue;
		}
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
	}
	if (have_watcher) {
		main_noticed = 1;
		pthread_join(watcher, NULL);
	}
	seccomp_notify_free(req, resp);
	close(nfd);
	if (waitpid(pid, &status, 0) < 0)
		return 126;
	if (verbose)
		for (int i = 0; i < nspecs; i++)
			fprintf(stderr, "vfs-inject: %s=%s: %llu matching calls, %llu failed\n",
				specs[i].sys->name, errno_name(specs[i].err),
				(unsigned long long)specs[i].calls, (unsigned long long)specs[i].fired);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
