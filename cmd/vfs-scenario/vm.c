/*
 * vm: QEMU as in ../shared/reference/virtio-fs-2026-notes.md (TCG, a
 * shared memfd backend, vhost-user-fs-pci); the runner listens on both of
 * QEMU's sockets before QEMU starts, so nothing waits for a file to
 * appear, and every wait is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guest/agent_wire.h"
#include "util/unix_socket.h"
#include "vm.h"
#include "util/mono_clock.h"

#define BOOT_MS 90000 /* TCG boots in 2-4 s here; a loaded CI machine gets room */
#define STEP_MS 60000


/* One line from the agent into @line (room @len), within @ms. 0, -ETIMEDOUT, -EPIPE, -E2BIG. */
static int read_line(struct vm *vm, char *line, size_t len, int ms)
{
	long long deadline = mono_ms() + ms;
	size_t have = 0;

	for (;;) {
		char *nl = memchr(vm->rbuf, '\n', vm->rlen);
		size_t k = nl ? (size_t)(nl - vm->rbuf) + 1 : vm->rlen;
		struct pollfd p = { .fd = vm->agent, .events = POLLIN };
		ssize_t n;
		int r;

		/* What came so far moves into @line: a line may be longer than the buffer. */
		if (have + k + (nl ? 0 : 1) > len)
			return -E2BIG;
		memcpy(line + have, vm->rbuf, k);
		have += k;
		memmove(vm->rbuf, vm->rbuf + k, vm->rlen - k);
		vm->rlen -= k;
		if (nl) {
			line[have - 1] = '\0';
			return 0;
		}
		r = poll(&p, 1, (int)(deadline - mono_ms() > 0 ? deadline - mono_ms() : 0));
		if (r < 0 && errno == EINTR)
			return -EINTR;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		n = read(vm->agent, vm->rbuf, sizeof(vm->rbuf));
		if (n <= 0)
			return -EPIPE;
		vm->rlen = (size_t)n;
	}
}

static bool by_socket(char *const argv[])
{
	for (int i = 0; argv[i]; i++)
		if (strstr(argv[i], "{socket}"))
			return true;
	return false;
}

/* Whether /proc/net/unix lists @path as a listening socket (flag __SO_ACCEPTCON). */
static bool listening(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[PATH_MAX + 128];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char p[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %4095s", &flags, p) == 2)
			found = (flags & 0x10000) && !strcmp(p, path);
	}
	if (f)
		fclose(f);
	return found;
}

/* Until the daemon listens at @path: it ending first, or 10 s, is its failure. */
static int wait_listening(struct daemon *d, const char *path, struct errbuf *e)
{
	long long deadline = mono_ms() + 10000;
	char desc[64];

	while (!listening(path)) {
		if (daemon_ended(d, 0, desc, sizeof(desc)))
			return errbuf_set(e, -ECONNREFUSED, "the daemon ended (%s) before listening",
					  desc);
		if (mono_ms() > deadline)
			return errbuf_set(e, -ETIMEDOUT, "the daemon did not listen at %s in 10 s", path);
		/* Another program's socket: nothing to block on until it exists. */
		usleep(2000);
	}
	return 0;
}

static pid_t spawn_qemu(char **argv, const char *log)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		FILE *f = fopen(log, "ae");

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the runner */
		if (getppid() != parent)
			_exit(126);
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

int vm_start(struct vm *vm, char *const daemon_argv[], const char *source, const char *dir,
	     const char *errlog, const char *image, struct errbuf *e)
{
	char vu[PATH_MAX], ag[PATH_MAX], qlog[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX];
	char chardev_vu[PATH_MAX + 32], chardev_ag[PATH_MAX + 32], serial0[PATH_MAX + 16];
	char line[256], desc[64];
	int vfd, afd, r;
	long long deadline;

	memset(vm, 0, sizeof(*vm));
	vm->agent = -1;
	snprintf(vu, sizeof(vu), "%s/vhost-user.sock", dir);
	snprintf(ag, sizeof(ag), "%s/agent.sock", dir);
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", dir);
	snprintf(vm->console, sizeof(vm->console), "%s/console.log", dir);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", image);
	snprintf(initrd, sizeof(initrd), "%s/initrd.gz", image);
	if (access(kernel, R_OK) || access(initrd, R_OK))
		return errbuf_set(e, -ENOENT, "no guest image in %s (make guest)", image);
	if (by_socket(daemon_argv)) {
		/* The daemon makes the socket: QEMU may connect once it listens there. */
		r = daemon_spawn(&vm->daemon, daemon_argv, -1, vu, source, errlog, e);
		if (!r)
			r = wait_listening(&vm->daemon, vu, e);
		if (r)
			return r;
	} else {
		vfd = unix_listen(vu, SOCK_STREAM, e);
		if (vfd < 0)
			return vfd;
		r = daemon_spawn(&vm->daemon, daemon_argv, vfd, NULL, source, errlog, e);
		close(vfd);
		if (r)
			return r;
	}
	afd = unix_listen(ag, SOCK_STREAM, e);
	if (afd < 0)
		return afd;
	snprintf(chardev_vu, sizeof(chardev_vu), "socket,id=vu,path=%s", vu);
	snprintf(chardev_ag, sizeof(chardev_ag), "socket,id=ag,path=%s", ag);
	snprintf(serial0, sizeof(serial0), "file:%s", vm->console);
	{
		char *argv[] = { "qemu-system-x86_64", "-accel", "tcg", "-smp", "1", "-m", "512M",
				 "-object", "memory-backend-memfd,id=mem,size=512M,share=on",
				 "-numa", "node,memdev=mem", "-chardev", chardev_vu,
				 "-device", "vhost-user-fs-pci,chardev=vu,tag=vfskit",
				 "-chardev", chardev_ag, "-serial", serial0, "-serial", "chardev:ag",
				 "-kernel", kernel, "-initrd", initrd,
				 "-append", "console=ttyS0 quiet panic=-1 vfskit=agent",
				 "-display", "none", "-no-reboot", "-monitor", "none", NULL };

		vm->qemu.pid = spawn_qemu(argv, qlog);
	}
	if (vm->qemu.pid < 0) {
		close(afd);
		return errbuf_set(e, -errno, "fork");
	}
	deadline = mono_ms() + BOOT_MS;
	for (;;) {
		struct pollfd p = { .fd = afd, .events = POLLIN };

		if (daemon_ended(&vm->qemu, 0, desc, sizeof(desc))) {
			close(afd);
			return errbuf_set(e, -ECHILD, "QEMU ended (%s) before the guest's agent "
					  "connected; see %s", desc, qlog);
		}
		if (mono_ms() > deadline) {
			close(afd);
			return errbuf_set(e, -ETIMEDOUT, "QEMU did not connect the agent's port");
		}
		if (poll(&p, 1, 200) > 0)
			break;
	}
	vm->agent = accept4(afd, NULL, NULL, SOCK_CLOEXEC);
	close(afd);
	if (vm->agent < 0)
		return errbuf_set(e, -errno, "accept the agent's port");
	do
		r = read_line(vm, line, sizeof(line), (int)(deadline - mono_ms()));
	while (!r && strcmp(line, AGENT_READY));
	if (r)
		return errbuf_set(e, r, "the guest's agent did not start (console: %s)", vm->console);
	return 0;
}

int vm_step(struct vm *vm, const char *kind, const char *op, int argc, char **argv,
	    const char *flags, struct strbuf *out, char *refusal, size_t len)
{
	struct strbuf req = STRBUF_INIT;
	char *line = malloc(AGENT_LINE_MAX), *w[4];
	int r, err;
	size_t done = 0;

	refusal[0] = '\0';
	if (!line)
		return -ENOMEM;
	strbuf_addf(&req, "%s\t%s", kind, op);
	for (int i = 0; i < argc; i++) {
		strbuf_addf(&req, "\t%c", flags[i]);
		wire_encode(&req, argv[i], strlen(argv[i]));
	}
	strbuf_addf(&req, "\n");
	r = req.failed ? -ENOMEM : 0;
	while (!r && done < req.len) {
		ssize_t n = write(vm->agent, req.buf + done, req.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = -EPIPE;
		else
			done += (size_t)n;
	}
	if (!r)
		r = read_line(vm, line, AGENT_LINE_MAX, STEP_MS);
	if (!r && wire_split(line, w, 4) == 4 && wire_decode(w[2]) >= 0 && wire_decode(w[3]) >= 0) {
		err = atoi(w[0]);
		vm->open_files = atoi(w[1]);
		strbuf_addstr(out, w[2]);
		snprintf(refusal, len, "%s", w[3]);
		r = -err;
	} else if (!r) {
		r = -EPROTO;
		snprintf(refusal, len, "the guest's agent answered something else");
	} else if (r == -EPIPE || r == -ETIMEDOUT) {
		snprintf(refusal, len, "the guest %s (its console: %s)",
			 r == -EPIPE ? "is gone" : "did not answer within 60 s", vm->console);
	}
	strbuf_release(&req);
	free(line);
	return r;
}

void vm_stop(struct vm *vm, char *how, size_t len)
{
	char desc[64];

	if (vm->agent >= 0) {
		struct strbuf out = STRBUF_INIT;
		char refusal[64];

		vm_step(vm, "poweroff", "now", 0, NULL, "", &out, refusal, sizeof(refusal));
		strbuf_release(&out);
		close(vm->agent);
		vm->agent = -1;
	}
	if (vm->qemu.pid > 0 && !daemon_ended(&vm->qemu, 10000, desc, sizeof(desc)))
		daemon_stop(&vm->qemu, 100);
	snprintf(how, len, "not started");
	if (vm->daemon.pid > 0 && !daemon_ended(&vm->daemon, 5000, how, len)) {
		daemon_stop(&vm->daemon, 200);
		daemon_ended(&vm->daemon, 0, how, len);
	}
}
