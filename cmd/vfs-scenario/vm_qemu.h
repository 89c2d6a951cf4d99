/*
 * vm_qemu: how QEMU is started for a guest, the same way for the boot a
 * snapshot is taken of and for each run restored from it (migration needs
 * the two machines alike): TCG, one CPU, 128 MiB in a shared memfd (for
 * vhost-user), the console to a file, the agent's serial port and QMP on
 * sockets the runner listens on, so nothing waits for a file to appear.
 * Two more serial ports (PCI 16550s, their driver built into Debian's kernels)
 * carry the agent sessions background blocks run on.
 */
#ifndef VFS_SCENARIO_VM_QEMU_H
#define VFS_SCENARIO_VM_QEMU_H

#include <limits.h>
#include <sys/types.h>

#include "transport/daemon.h"
#include "util/errbuf.h"

#define VM_SESSIONS 2 /* agent sessions beside the main one: background blocks at once */

struct vm_qemu_files {
	char kernel[PATH_MAX], initrd[PATH_MAX]; /* the image */
	char console[PATH_MAX], log[PATH_MAX];   /* the guest's ttyS0, QEMU's own output */
	char agent[PATH_MAX], qmp[PATH_MAX];     /* the sockets */
	char session[VM_SESSIONS][PATH_MAX];     /* the background sessions' */
};

/* The image's files and the run's, in @dir; -ENOENT with @e if the image is not there. */
int vm_qemu_files(struct vm_qemu_files *f, const char *image, const char *dir, struct errbuf *e);

/*
 * QEMU started on @f, its group its own, killed with the runner. With
 * @vu, the vhost-user socket as chardev "vu" (the device is hot-plugged
 * later) and an incoming migration deferred to QMP. Its pid, or -errno.
 */
pid_t vm_qemu_spawn(const struct vm_qemu_files *f, const char *vu);

/*
 * A connection QEMU makes to the listening @lfd within @ms, while it runs:
 * the connected fd, or -errno with @e naming @what and QEMU's log.
 */
int vm_qemu_accept(int lfd, struct daemon *qemu, int ms, const char *what,
		   const struct vm_qemu_files *f, struct errbuf *e);

/* Listening on @f's session sockets, before QEMU starts: 0, or -errno with none left open. */
int vm_qemu_listen_sessions(const struct vm_qemu_files *f, int lfd[VM_SESSIONS], struct errbuf *e);

/*
 * QEMU's connections to the session sockets: @fd[k] each, or -errno with
 * @e (those made are closed). @lfd are left open.
 */
int vm_qemu_accept_sessions(const int lfd[VM_SESSIONS], struct daemon *qemu,
			    const struct vm_qemu_files *f, int fd[VM_SESSIONS], struct errbuf *e);

/* Closes the fds of @fd that are open and marks them -1. */
void vm_qemu_close_all(int fd[VM_SESSIONS]);

#endif
