/*
 * vm: a real Linux guest for one run (--guest=vm). The vhost-user daemon
 * is started on a listening socket the runner made, QEMU (TCG) restores
 * the image of fixtures/guest/ booted once (vm_snapshot.h), the virtio-fs
 * device on the daemon is plugged in and mounted by vfs-guest-agent on
 * the guest's second serial port, and guest steps go to the agent. A guest
 * that panics, hangs or loses its share is seen as the agent's silence or
 * end, within the step's time limit; the console log stays for the report.
 */
#ifndef VFS_SCENARIO_VM_H
#define VFS_SCENARIO_VM_H

#include <limits.h>
#include <stdbool.h>

#include "transport/daemon.h"
#include "util/errbuf.h"
#include "util/strbuf.h"
#include "line_reader.h"
#include "vm_qemu.h"

struct vm {
	struct daemon daemon;  /* the vhost-user back-end */
	struct daemon qemu;
	struct line_reader agent; /* connected to the agent, fd -1 before */
	struct line_reader qmp;   /* QEMU's control socket, fd -1 before */
	/* Agents of their own for background blocks, in the same guest: fd -1 before. */
	struct line_reader session[VM_SESSIONS];
	int open_files;        /* what the agent holds open, after each step */
	char console[PATH_MAX];
	long long boot_ms;     /* vm_start's time: restore, plug, mount (the first: the boot too) */
	long long stop_ms;     /* poweroff asked to QEMU and daemon gone */
};

/*
 * Starts @daemon_argv ({fd}, {socket} and {source} as daemon_start has
 * them) serving @source, and brings up the guest of @image (vmlinuz,
 * initrd.gz) against it, files in @dir, its snapshot kept in @cache;
 * waits until the agent has mounted the share. 0 or -errno with @e
 * saying what (and the console log the rest).
 */
int vm_start(struct vm *vm, char *const daemon_argv[], const char *source, const char *dir,
	     const char *errlog, const char *image, const char *cache, struct errbuf *e);

/*
 * The snapshot of @image's guest made now, in @cache (its boot's files in
 * @dir), so that the runs after (a fork's too) restore it. 0 or -errno.
 */
int vm_prepare(const char *image, const char *cache, const char *dir, struct errbuf *e);

/*
 * A guest step in the VM: @kind "file" or "guest", @op and its @argc
 * words, @flags[i] 'v', 'p' or 'P' (agent_wire.h). The step's 0 or
 * -errno with its value in @out; a refusal in @refusal (empty if none);
 * -EPIPE or -ETIMEDOUT when the guest is gone or silent.
 */
int vm_step(struct vm *vm, const char *kind, const char *op, int argc, char **argv,
	    const char *flags, struct strbuf *out, char *refusal, size_t len);

/*
 * In a background block's child: its guest steps go to agent session @k
 * from now on (a process of their own in the guest, files open there its
 * own, as a forked child's are on the host). Session @k must be free: the
 * runner gives each block running at once its own.
 */
void vm_use_session(struct vm *vm, int k);

/* The block's end: the session's agent closes what the block left open. 0 or -errno. */
int vm_end_session(struct vm *vm);

/* Powers the guest off (QEMU killed if it does not end in 10 s); @how: the daemon's end. */
void vm_stop(struct vm *vm, char *how, size_t len);

#endif
