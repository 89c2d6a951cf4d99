/*
 * vm: QEMU as in ../shared/reference/virtio-fs-2026-notes.md (TCG, a
 * shared memfd backend, vhost-user-fs-pci), restored from a snapshot of
 * the booted guest (vm_snapshot.h); the runner listens on QEMU's sockets
 * before QEMU starts, so nothing waits for a file to appear, and every
 * wait is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent_wire.h"
#include "qmp.h"
#include "util/mono_clock.h"
#include "util/unix_socket.h"
#include "vm.h"
#include "vm_snapshot.h"

#define RESTORE_MS 60000
#define STEP_MS 60000

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

/* The daemon under test on @vu, as its command line says: its socket, or ours. */
static int start_daemon(struct vm *vm, char *const argv[], const char *vu, const char *source,
			const char *errlog, struct errbuf *e)
{
	int vfd, r;

	if (by_socket(argv)) {
		/* The daemon makes the socket: QEMU may connect once it listens there. */
		r = daemon_spawn(&vm->daemon, argv, -1, vu, source, errlog, e);
		return r ? r : wait_listening(&vm->daemon, vu, e);
	}
	vfd = unix_listen(vu, SOCK_STREAM, e);
	if (vfd < 0)
		return vfd;
	r = daemon_spawn(&vm->daemon, argv, vfd, NULL, source, errlog, e);
	close(vfd);
	return r;
}

/* The snapshot restored into the paused machine, the device plugged, the machine running. */
static int restore(struct vm *vm, const char *snap, int qfd, const struct vm_qemu_files *f,
		   struct errbuf *e)
{
	char cmd[PATH_MAX + 128], err[512];
	int r = vm_qemu_accept(qfd, &vm->qemu, 10000, "its control socket", f, e);

	if (r < 0)
		return r;
	r = qmp_open(&vm->qmp, r, 10000);
	if (r)
		return errbuf_set(e, r, "QEMU's control socket did not answer");
	snprintf(cmd, sizeof(cmd), "{\"execute\": \"migrate-incoming\", \"arguments\": "
		 "{\"uri\": \"exec:cat '%s'\"}}", snap);
	if (qmp_command(&vm->qmp, "{\"execute\": \"migrate-set-capabilities\", \"arguments\": "
			"{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}}",
			10000, err, sizeof(err)) ||
	    qmp_command(&vm->qmp, cmd, 10000, err, sizeof(err)) ||
	    qmp_wait_migration(&vm->qmp, RESTORE_MS))
		return errbuf_set(e, -EIO, "QEMU could not restore the guest from %s; see %s", snap,
				  f->log);
	/* The device QEMU would not migrate, now on the daemon under test. */
	if (qmp_command(&vm->qmp, "{\"execute\": \"device_add\", \"arguments\": {\"driver\": "
			"\"vhost-user-fs-pci\", \"chardev\": \"vu\", \"tag\": \"vfskit\", "
			"\"id\": \"fs\"}}", 10000, err, sizeof(err)))
		return errbuf_set(e, -EIO, "QEMU could not plug the virtio-fs device: %s", err);
	if (qmp_command(&vm->qmp, "{\"execute\": \"cont\"}", 10000, err, sizeof(err)))
		return errbuf_set(e, -EIO, "QEMU would not run the restored guest: %s", err);
	return 0;
}

int vm_prepare(const char *image, const char *cache, const char *dir, struct errbuf *e)
{
	struct vm_qemu_files f;
	char snap[PATH_MAX];
	int r = vm_qemu_files(&f, image, dir, e);

	return r ? r : vm_snapshot(image, cache, &f, snap, sizeof(snap), e);
}

int vm_start(struct vm *vm, char *const daemon_argv[], const char *source, const char *dir,
	     const char *errlog, const char *image, const char *cache, struct errbuf *e)
{
	long long start = mono_ms();
	struct vm_qemu_files f;
	char vu[PATH_MAX], snap[PATH_MAX], refusal[256];
	struct strbuf out = STRBUF_INIT;
	int afd = -1, qfd = -1, slfd[VM_SESSIONS] = { -1, -1 }, sfd[VM_SESSIONS], r;

	memset(vm, 0, sizeof(*vm));
	vm->agent.fd = vm->qmp.fd = -1;
	for (int k = 0; k < VM_SESSIONS; k++)
		vm->session[k].fd = -1;
	snprintf(vu, sizeof(vu), "%s/vhost-user.sock", dir);
	r = vm_qemu_files(&f, image, dir, e);
	snprintf(vm->console, sizeof(vm->console), "%s", f.console);
	if (!r)
		r = vm_snapshot(image, cache, &f, snap, sizeof(snap), e);
	if (!r)
		r = start_daemon(vm, daemon_argv, vu, source, errlog, e);
	if (r)
		return r;
	unlink(f.agent);
	unlink(f.qmp);
	afd = unix_listen(f.agent, SOCK_STREAM, e);
	qfd = afd < 0 ? -1 : unix_listen(f.qmp, SOCK_STREAM, e);
	if (afd < 0 || qfd < 0) {
		r = afd < 0 ? afd : qfd;
		goto out;
	}
	r = vm_qemu_listen_sessions(&f, slfd, e);
	if (r)
		goto out;
	vm->qemu.pid = vm_qemu_spawn(&f, vu);
	if (vm->qemu.pid < 0) {
		r = errbuf_set(e, vm->qemu.pid, "cannot start QEMU");
		vm->qemu.pid = 0;
		goto out;
	}
	r = restore(vm, snap, qfd, &f, e);
	if (!r)
		r = vm->agent.fd = vm_qemu_accept(afd, &vm->qemu, 10000, "the agent's port", &f, e);
	if (r >= 0)
		r = vm_qemu_accept_sessions(slfd, &vm->qemu, &f, sfd, e);
	for (int k = 0; r >= 0 && k < VM_SESSIONS; k++)
		vm->session[k].fd = sfd[k];
	/* The agent mounts the share once the device shows: the guest's own driver's INIT. */
	if (r >= 0) {
		r = vm_step(vm, "mount", "vfskit", 0, NULL, "", &out, refusal, sizeof(refusal));
		if (r)
			errbuf_set(e, r, "the guest could not mount the share: %s (console: %s)",
				   refusal[0] ? refusal : strerror(-r), vm->console);
	}
out:
	strbuf_release(&out);
	vm_qemu_close_all(slfd);
	if (afd >= 0)
		close(afd);
	if (qfd >= 0)
		close(qfd);
	vm->boot_ms = mono_ms() - start; /* the first run's includes the boot it saves */
	return r < 0 ? r : 0;
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
		ssize_t n = write(vm->agent.fd, req.buf + done, req.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = -EPIPE;
		else
			done += (size_t)n;
	}
	if (!r)
		r = line_read(&vm->agent, line, AGENT_LINE_MAX, STEP_MS);
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

void vm_use_session(struct vm *vm, int k)
{
	/* This process's own copy of @vm: the parent's main agent stays its own. */
	vm->agent = vm->session[k];
	vm->open_files = 0;
	for (int i = 0; i < VM_SESSIONS; i++)
		vm->session[i].fd = -1;
}

int vm_end_session(struct vm *vm)
{
	struct strbuf out = STRBUF_INIT;
	char refusal[256];
	int r = vm_step(vm, "end", "session", 0, NULL, "", &out, refusal, sizeof(refusal));

	strbuf_release(&out);
	return r;
}

void vm_stop(struct vm *vm, char *how, size_t len)
{
	long long start = mono_ms();
	char desc[64];

	if (vm->agent.fd >= 0) {
		struct strbuf out = STRBUF_INIT;
		char refusal[64];

		vm_step(vm, "poweroff", "now", 0, NULL, "", &out, refusal, sizeof(refusal));
		strbuf_release(&out);
		close(vm->agent.fd);
		vm->agent.fd = -1;
	}
	for (int k = 0; k < VM_SESSIONS; k++)
		if (vm->session[k].fd >= 0) {
			close(vm->session[k].fd);
			vm->session[k].fd = -1;
		}
	if (vm->qemu.pid > 0 && !daemon_ended(&vm->qemu, 10000, desc, sizeof(desc)))
		daemon_stop(&vm->qemu, 100);
	if (vm->qmp.fd >= 0) {
		close(vm->qmp.fd);
		vm->qmp.fd = -1;
	}
	snprintf(how, len, "not started");
	if (vm->daemon.pid > 0 && !daemon_ended(&vm->daemon, 5000, how, len)) {
		daemon_stop(&vm->daemon, 200);
		daemon_ended(&vm->daemon, 0, how, len);
	}
	vm->stop_ms = mono_ms() - start;
}
