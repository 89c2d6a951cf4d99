// SPDX-License-Identifier: GPL-2.0
/*
 * vfs-trace.bpf.c: the kernel side of vfs-trace. Syscall tracepoints for
 * the file-handle calls and the mount API, tp_btf on fuse_request_end (or
 * the fuse_request_send/_end tracepoint pair where tp_btf is missing), and
 * USDT probes in vfs-serve. Every filter the user gave is applied here, so
 * events that do not match never cross to user space.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "trace/trace_event.h"

const volatile __u32 targ_tgid = 0;
const volatile __u32 targ_tid = 0;
const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile bool failed_only = true;
const volatile __s32 targ_errno = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Events the ring buffer had no room for. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline bool comm_matches(void)
{
	char comm[TASK_COMM_LEN];

	if (!targ_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool task_matches(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (targ_tgid && (id >> 32) != targ_tgid)
		return false;
	if (targ_tid && (__u32)id != targ_tid)
		return false;
	return comm_matches();
}

static __always_inline bool result_matches(long ret)
{
	if (failed_only && ret >= 0)
		return false;
	if (targ_errno && ret != -targ_errno)
		return false;
	return true;
}

/*
 * Wake the reader once, when a batch has piled up (the backlog crosses
 * 1/16 of the ring): a wake-up per event costs the traced call more than
 * the event itself. The reader also takes what is there every few
 * milliseconds, so a backlog below the mark waits at most that long.
 */
const volatile __u64 wakeup_bytes = (16 << 20) / 16; /* ring size / 16, set by user space */

static __always_inline void submit(struct event *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bool crossing = avail >= wakeup_bytes && avail < wakeup_bytes + 2 * sizeof(*e);

	bpf_ringbuf_submit(e, crossing ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline struct event *reserve(__u32 kind)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);

		if (n)
			__sync_fetch_and_add(n, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->mount_id = -1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

const volatile bool with_latency = false; /* -s: time each call from its entry */

/* The entry time of the calling task's current syscall, for -s. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} starts SEC(".maps");

static __always_inline int enter(void)
{
	__u64 *ts;

	if (!task_matches())
		return 0;
	ts = bpf_task_storage_get(&starts, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

/* Entry programs are attached only with -s (latency). */
SEC("tracepoint/syscalls/sys_enter_name_to_handle_at")
int enter_name_to_handle(struct trace_event_raw_sys_enter *ctx)
{
	return enter();
}

SEC("tracepoint/syscalls/sys_enter_open_by_handle_at")
int enter_open_by_handle(struct trace_event_raw_sys_enter *ctx)
{
	return enter();
}

/* Where that tracepoint cannot be attached: raw sys_enter, one syscall only. */
const volatile long nr_open_by_handle_at = 304; /* x86_64; set by user space */

SEC("raw_tp/sys_enter")
int raw_enter_open_by_handle(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] != nr_open_by_handle_at)
		return 0;
	return enter();
}

/* struct file_handle's header in user memory: bytes, type. */
static __always_inline void read_handle(struct event *e, const void *uh)
{
	__u32 hdr[2] = {};

	if (uh && !bpf_probe_read_user(hdr, sizeof(hdr), uh)) {
		e->handle_bytes = hdr[0];
		e->handle_type = (int)hdr[1];
	}
}

/*
 * At syscall exit the task's saved user registers still hold the
 * arguments (x86_64: di, si, dx, r10, r8), so no entry program and no map
 * are needed to report a call: a call that does not match costs a compare.
 */
static __always_inline int handle_exit(struct trace_event_raw_sys_exit *ctx, __u32 kind)
{
	struct task_struct *task;
	struct pt_regs *regs;
	struct event *e;
	long ret = ctx->ret;
	__u64 *ts;

	if (!result_matches(ret) || !task_matches())
		return 0;
	e = reserve(kind);
	if (!e)
		return 0;
	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	e->ret = ret;
	if (with_latency) {
		ts = bpf_task_storage_get(&starts, task, 0, 0);
		if (ts && *ts && *ts <= e->ts_ns)
			e->latency_ns = e->ts_ns - *ts;
	}
	e->dirfd = (int)BPF_CORE_READ(regs, di);
	if (kind == EV_NAME_TO_HANDLE) {
		/* name_to_handle_at(dirfd, name, handle, mount_id, flags) */
		bpf_probe_read_user_str(e->name, sizeof(e->name), (const char *)BPF_CORE_READ(regs, si));
		read_handle(e, (const void *)BPF_CORE_READ(regs, dx));
		if (ret == 0)
			bpf_probe_read_user(&e->mount_id, sizeof(e->mount_id),
					    (const void *)BPF_CORE_READ(regs, r10));
		e->flags = (int)BPF_CORE_READ(regs, r8);
	} else {
		/* open_by_handle_at(mount_fd, handle, flags) */
		read_handle(e, (const void *)BPF_CORE_READ(regs, si));
		e->flags = (int)BPF_CORE_READ(regs, dx);
	}
	submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_name_to_handle_at")
int exit_name_to_handle(struct trace_event_raw_sys_exit *ctx)
{
	return handle_exit(ctx, EV_NAME_TO_HANDLE);
}

SEC("tracepoint/syscalls/sys_exit_open_by_handle_at")
int exit_open_by_handle(struct trace_event_raw_sys_exit *ctx)
{
	return handle_exit(ctx, EV_OPEN_BY_HANDLE);
}

/* FUSE: the requester, not the daemon that answers, is who -p names. */
static __always_inline bool fuse_matches(__u32 req_pid, int error)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!result_matches(error))
		return false;
	if (targ_tgid && req_pid != targ_tgid && (id >> 32) != targ_tgid)
		return false;
	if (targ_tid && req_pid != targ_tid && (__u32)id != targ_tid)
		return false;
	return comm_matches(); /* -c names the daemon: the requester's comm is not in req */
}

SEC("tp_btf/fuse_request_end")
int BPF_PROG(fuse_end_btf, const struct fuse_req *req)
{
	int error = BPF_CORE_READ(req, out.h.error);
	__u32 req_pid = BPF_CORE_READ(req, in.h.pid);
	struct event *e;

	if (!fuse_matches(req_pid, error))
		return 0;
	e = reserve(EV_FUSE);
	if (!e)
		return 0;
	e->ret = error;
	e->opcode = BPF_CORE_READ(req, in.h.opcode);
	e->nodeid = BPF_CORE_READ(req, in.h.nodeid);
	e->unique = BPF_CORE_READ(req, in.h.unique);
	e->req_pid = req_pid;
	e->connection = BPF_CORE_READ(req, fm, fc, dev);
	submit(e);
	return 0;
}

/* The fallback: both tracepoints, joined on (connection, unique) in user space. */
SEC("tracepoint/fuse/fuse_request_send")
int fuse_send_tp(struct trace_event_raw_fuse_request_send *ctx)
{
	struct event *e = reserve(EV_FUSE_SEND);

	if (!e)
		return 0;
	e->connection = ctx->connection;
	e->unique = ctx->unique;
	e->opcode = ctx->opcode;
	e->req_pid = e->pid;
	submit(e);
	return 0;
}

SEC("tracepoint/fuse/fuse_request_end")
int fuse_end_tp(struct trace_event_raw_fuse_request_end *ctx)
{
	struct event *e = reserve(EV_FUSE_END);

	if (!e)
		return 0;
	e->connection = ctx->connection;
	e->unique = ctx->unique;
	e->ret = ctx->error;
	submit(e);
	return 0;
}

static __always_inline int mount_exit(struct trace_event_raw_sys_exit *ctx, __u32 which)
{
	struct event *e;

	if (!task_matches() || !result_matches(ctx->ret))
		return 0;
	e = reserve(EV_MOUNT_API);
	if (!e)
		return 0;
	e->ret = ctx->ret;
	e->which = which;
	submit(e);
	return 0;
}

#define MOUNT_EXIT(call, which)                                              \
	SEC("tracepoint/syscalls/sys_exit_" #call)                           \
	int exit_##call(struct trace_event_raw_sys_exit *ctx)                \
	{                                                                     \
		return mount_exit(ctx, which);                                \
	}
MOUNT_EXIT(fsopen, MC_FSOPEN)
MOUNT_EXIT(fsconfig, MC_FSCONFIG)
MOUNT_EXIT(fsmount, MC_FSMOUNT)
MOUNT_EXIT(move_mount, MC_MOVE_MOUNT)
MOUNT_EXIT(open_tree, MC_OPEN_TREE)
MOUNT_EXIT(mount_setattr, MC_MOUNT_SETATTR)
MOUNT_EXIT(mount, MC_MOUNT)

/* vfs-serve's decisions: the cookie says which probe, args as the probe's. */
SEC("usdt")
int BPF_USDT(vfskit_probe, long a0, long a1)
{
	struct event *e;

	/* A decision is always news: failed-only does not apply; -e does (a1 is the errno). */
	if (!task_matches() || (targ_errno && a1 != targ_errno))
		return 0;
	e = reserve(EV_USDT);
	if (!e)
		return 0;
	e->which = (__u32)bpf_usdt_cookie(ctx);
	e->arg0 = a0;
	e->arg1 = a1;
	submit(e);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
