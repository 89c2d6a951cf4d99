/* vm_qemu: QEMU's command line and its connections (vm_qemu.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/mono_clock.h"
#include "util/unix_socket.h"
#include "vm_qemu.h"

int vm_qemu_files(struct vm_qemu_files *f, const char *image, const char *dir, struct errbuf *e)
{
	snprintf(f->kernel, sizeof(f->kernel), "%s/vmlinuz", image);
	snprintf(f->initrd, sizeof(f->initrd), "%s/initrd.gz", image);
	snprintf(f->console, sizeof(f->console), "%s/console.log", dir);
	snprintf(f->log, sizeof(f->log), "%s/qemu.log", dir);
	snprintf(f->agent, sizeof(f->agent), "%s/agent.sock", dir);
	snprintf(f->qmp, sizeof(f->qmp), "%s/qmp.sock", dir);
	for (int k = 0; k < VM_SESSIONS; k++)
		snprintf(f->session[k], sizeof(f->session[k]), "%s/session%d.sock", dir, k + 1);
	if (access(f->kernel, R_OK) || access(f->initrd, R_OK))
		return errbuf_set(e, -ENOENT, "no guest image in %s (make guest)", image);
	return 0;
}

pid_t vm_qemu_spawn(const struct vm_qemu_files *f, const char *vu)
{
	char ag[PATH_MAX + 32], qmp[PATH_MAX + 32], con[PATH_MAX + 16], chardev_vu[PATH_MAX + 32];
	char sess[VM_SESSIONS][PATH_MAX + 32];
	char *argv[48] = { "qemu-system-x86_64", "-accel", "tcg", "-smp", "1", "-m", "128M",
		"-object", "memory-backend-memfd,id=mem,size=128M,share=on", "-numa", "node,memdev=mem",
		"-chardev", ag, "-serial", con, "-serial", "chardev:ag",
		"-chardev", qmp, "-mon", "chardev=qmp,mode=control",
		/* two pci-serial, not one pci-serial-2x: QEMU 7.2 crashes saving that */
		"-chardev", sess[0], "-device", "pci-serial,chardev=s1",
		"-chardev", sess[1], "-device", "pci-serial,chardev=s2",
		"-kernel", (char *)f->kernel, "-initrd", (char *)f->initrd,
		/* no probing the guest does not need: it runs scenarios, not hardware */
		"-append", "console=ttyS0 quiet panic=-1 vfskit=agent mitigations=off tsc=reliable "
			   "no_timer_check cryptomgr.notests random.trust_cpu=on 8250.nr_uarts=4",
		"-display", "none", "-no-reboot", "-monitor", "none", "-nodefaults", "-no-user-config" };
	int n = 0;
	pid_t parent = getpid(), pid;

	while (argv[n])
		n++;
	snprintf(ag, sizeof(ag), "socket,id=ag,path=%s", f->agent);
	snprintf(qmp, sizeof(qmp), "socket,id=qmp,path=%s", f->qmp);
	_Static_assert(VM_SESSIONS == 2, "two pci-serial devices: two session ports");
	for (int k = 0; k < VM_SESSIONS; k++)
		snprintf(sess[k], sizeof(sess[k]), "socket,id=s%d,path=%s", k + 1, f->session[k]);
	snprintf(con, sizeof(con), "file:%s", f->console);
	if (vu) {
		snprintf(chardev_vu, sizeof(chardev_vu), "socket,id=vu,path=%s", vu);
		argv[n++] = "-chardev";
		argv[n++] = chardev_vu;
		argv[n++] = "-incoming";
		argv[n++] = "defer";
	}
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		FILE *log = fopen(f->log, "ae");

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the runner */
		if (getppid() != parent)
			_exit(126);
		if (log) {
			dup2(fileno(log), 1);
			dup2(fileno(log), 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid < 0 ? -errno : pid;
}

int vm_qemu_accept(int lfd, struct daemon *qemu, int ms, const char *what,
		   const struct vm_qemu_files *f, struct errbuf *e)
{
	long long deadline = mono_ms() + ms;
	char desc[64];
	int fd;

	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (daemon_ended(qemu, 0, desc, sizeof(desc)))
			return errbuf_set(e, -ECHILD, "QEMU ended (%s) before it connected %s; see %s",
					  desc, what, f->log);
		if (mono_ms() > deadline)
			return errbuf_set(e, -ETIMEDOUT, "QEMU did not connect %s in %d s", what,
					  ms / 1000);
		/* QEMU's end is no event on @lfd: it is looked at between short waits. */
		if (poll(&p, 1, 200) > 0)
			break;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? errbuf_set(e, -errno, "accept %s", what) : fd;
}

int vm_qemu_listen_sessions(const struct vm_qemu_files *f, int lfd[VM_SESSIONS], struct errbuf *e)
{
	for (int k = 0; k < VM_SESSIONS; k++)
		lfd[k] = -1;
	for (int k = 0; k < VM_SESSIONS; k++) {
		unlink(f->session[k]);
		lfd[k] = unix_listen(f->session[k], SOCK_STREAM, e);
		if (lfd[k] < 0) {
			int r = lfd[k];

			vm_qemu_close_all(lfd);
			return r;
		}
	}
	return 0;
}

int vm_qemu_accept_sessions(const int lfd[VM_SESSIONS], struct daemon *qemu,
			    const struct vm_qemu_files *f, int fd[VM_SESSIONS], struct errbuf *e)
{
	for (int k = 0; k < VM_SESSIONS; k++)
		fd[k] = -1;
	/* QEMU connects its chardevs as it starts: each is already queued. */
	for (int k = 0; k < VM_SESSIONS; k++) {
		fd[k] = vm_qemu_accept(lfd[k], qemu, 10000, "an agent session's port", f, e);
		if (fd[k] < 0) {
			int r = fd[k];

			vm_qemu_close_all(fd);
			return r;
		}
	}
	return 0;
}

void vm_qemu_close_all(int fd[VM_SESSIONS])
{
	for (int k = 0; k < VM_SESSIONS; k++) {
		if (fd[k] >= 0)
			close(fd[k]);
		fd[k] = -1;
	}
}
