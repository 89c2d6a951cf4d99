// SPDX-License-Identifier: GPL-2.0
/*
 * trace_floor.bpf.c: programs that do nothing, on the hooks vfs-trace
 * uses by default. What tracing costs a traced call before vfs-trace does
 * anything of its own: the floor make bench measures it against.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NOTHING(sec, name)                                                   \
	SEC(sec)                                                             \
	int name(void *ctx)                                                  \
	{                                                                    \
		return 0;                                                    \
	}

NOTHING("tracepoint/syscalls/sys_exit_name_to_handle_at", exit_name_to_handle)
NOTHING("tracepoint/syscalls/sys_exit_open_by_handle_at", exit_open_by_handle)
NOTHING("tracepoint/syscalls/sys_exit_fsopen", exit_fsopen)
NOTHING("tracepoint/syscalls/sys_exit_fsconfig", exit_fsconfig)
NOTHING("tracepoint/syscalls/sys_exit_fsmount", exit_fsmount)
NOTHING("tracepoint/syscalls/sys_exit_move_mount", exit_move_mount)
NOTHING("tracepoint/syscalls/sys_exit_open_tree", exit_open_tree)
NOTHING("tracepoint/syscalls/sys_exit_mount_setattr", exit_mount_setattr)
NOTHING("tracepoint/syscalls/sys_exit_mount", exit_mount)

SEC("tp_btf/fuse_request_end")
int BPF_PROG(fuse_end, void *req)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
