/*
 * vm_snapshot: a guest booted once per image and run, saved (QEMU's
 * migration to a file) with its agent waiting and no virtio-fs device
 * yet; each VM run restores it, hot-plugs the device on the daemon under
 * test and has the agent mount the share. A run keeps every isolation of
 * a fresh boot (its own QEMU, daemon and mount) at the cost of a restore,
 * not of a kernel's boot. The device is not in the snapshot because
 * QEMU refuses to migrate a vhost-user-fs device.
 */
#ifndef VFS_SCENARIO_VM_SNAPSHOT_H
#define VFS_SCENARIO_VM_SNAPSHOT_H

#include <stddef.h>

#include "util/errbuf.h"
#include "vm_qemu.h"

/*
 * The snapshot of @image's guest into @snap (room @len): made in @cache
 * on first use in this run, booting with @f's files (its console tells a
 * failed boot), then taken from there. 0 or -errno with @e.
 */
int vm_snapshot(const char *image, const char *cache, const struct vm_qemu_files *f, char *snap,
		size_t len, struct errbuf *e);

#endif
