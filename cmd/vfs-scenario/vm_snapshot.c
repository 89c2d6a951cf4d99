/* vm_snapshot: one boot per image, restored by every run (vm_snapshot.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest/agent_wire.h"
#include "line_reader.h"
#include "qmp.h"
#include "util/unix_socket.h"
#include "vm_snapshot.h"

#define BOOT_MS 90000  /* TCG boots in 2-5 s here; a loaded CI machine gets room */
#define SAVE_MS 60000

static struct {
	char image[PATH_MAX], snap[PATH_MAX];
} made[8];
static int nmade;

/* Until the agent on @afd says @what (AGENT_BOOTED, AGENT_READY); 0 or -errno with @e. */
static int wait_said(int afd, const char *what, const struct vm_qemu_files *f, struct errbuf *e)
{
	struct line_reader lr = { .fd = afd };
	char line[256];
	int r;

	do
		r = line_read(&lr, line, sizeof(line), BOOT_MS);
	while (!r && strcmp(line, what));
	return r ? errbuf_set(e, r, "the guest's agent did not say \"%s\" (console: %s)", what,
			      f->console) : 0;
}

/*
 * Boots, waits for the agent and its sessions (each blocked on its port
 * in the snapshot then), saves the stopped machine to @snap.
 */
static int make(const struct vm_qemu_files *f, const char *snap, struct errbuf *e)
{
	struct daemon qemu = { 0 };
	struct line_reader q = { .fd = -1 };
	char cmd[PATH_MAX + 128], err[512] = "", desc[64];
	int afd = -1, qfd = -1, ag = -1, r;
	int slfd[VM_SESSIONS] = { -1, -1 }, sfd[VM_SESSIONS] = { -1, -1 };

	unlink(f->agent);
	unlink(f->qmp);
	afd = unix_listen(f->agent, SOCK_STREAM, e);
	qfd = afd < 0 ? -1 : unix_listen(f->qmp, SOCK_STREAM, e);
	if (afd < 0 || qfd < 0) {
		r = afd < 0 ? afd : qfd;
		goto out;
	}
	r = vm_qemu_listen_sessions(f, slfd, e);
	if (r)
		goto out;
	qemu.pid = vm_qemu_spawn(f, NULL);
	if (qemu.pid < 0) {
		r = errbuf_set(e, qemu.pid, "cannot start QEMU");
		goto out;
	}
	r = vm_qemu_accept(qfd, &qemu, 10000, "its control socket", f, e);
	if (r >= 0) {
		r = qmp_open(&q, r, 10000);
		if (r)
			errbuf_set(e, r, "QEMU's control socket did not answer");
	}
	if (!r)
		r = ag = vm_qemu_accept(afd, &qemu, BOOT_MS, "the agent's port", f, e);
	if (r >= 0)
		r = vm_qemu_accept_sessions(slfd, &qemu, f, sfd, e);
	for (int k = 0; r >= 0 && k < VM_SESSIONS; k++)
		r = wait_said(sfd[k], AGENT_READY, f, e);
	if (r >= 0)
		r = wait_said(ag, AGENT_BOOTED, f, e);
	/* An absolute, quoted path: the shell of exec: must find it whatever its cwd. */
	snprintf(cmd, sizeof(cmd), "{\"execute\": \"migrate\", \"arguments\": "
		 "{\"uri\": \"exec:cat >'%s.new'\"}}", snap);
	if (!r && (qmp_command(&q, "{\"execute\": \"stop\"}", 10000, err, sizeof(err)) ||
		   qmp_command(&q, "{\"execute\": \"migrate-set-capabilities\", \"arguments\": "
			       "{\"capabilities\": [{\"capability\": \"events\", \"state\": true}]}}",
			       10000, err, sizeof(err)) ||
		   qmp_command(&q, cmd, 10000, err, sizeof(err)) ||
		   qmp_wait_migration(&q, SAVE_MS)))
		r = errbuf_set(e, -EIO, "QEMU could not save the booted guest to %s: %s", snap,
			       err[0] ? err : "the migration failed");
	if (!r && rename(strcat(strcpy(cmd, snap), ".new"), snap) < 0)
		r = errbuf_set(e, -errno, "rename %s", cmd);
	if (r >= 0 && qemu.pid > 0)
		qmp_command(&q, "{\"execute\": \"quit\"}", 5000, err, sizeof(err));
	if (q.fd >= 0 && qemu.pid > 0)
		close(q.fd);
	if (qemu.pid > 0 && !daemon_ended(&qemu, 5000, desc, sizeof(desc)))
		daemon_stop(&qemu, 100);
out:
	vm_qemu_close_all(sfd);
	vm_qemu_close_all(slfd);
	if (ag >= 0)
		close(ag);
	if (afd >= 0)
		close(afd);
	if (qfd >= 0)
		close(qfd);
	return r < 0 ? r : 0;
}

int vm_snapshot(const char *image, const char *cache, const struct vm_qemu_files *f, char *snap,
		size_t len, struct errbuf *e)
{
	int r;

	for (int i = 0; i < nmade; i++)
		if (!strcmp(made[i].image, image)) {
			snprintf(snap, len, "%s", made[i].snap);
			return 0;
		}
	if (nmade == (int)(sizeof(made) / sizeof(made[0])) || strpbrk(cache, "'\"\\"))
		return errbuf_set(e, -E2BIG, "no room for another guest snapshot in %s, "
				  "or a quote in its name", cache);
	snprintf(snap, len, "%s/guest-%d.snapshot", cache, nmade);
	r = make(f, snap, e);
	if (r)
		return r;
	snprintf(made[nmade].image, sizeof(made[nmade].image), "%s", image);
	snprintf(made[nmade].snap, sizeof(made[nmade].snap), "%s", snap);
	nmade++;
	return 0;
}
