/*
 * trace_event: the event that crosses from the kernel side (vfs-trace.bpf.c)
 * to user space (vfs-trace.c), and the kinds of events there are.
 */
#ifndef VFS_TRACE_H
#define VFS_TRACE_H

#define TASK_COMM_LEN 16
#define NAME_LEN 256

enum event_kind {
	EV_NAME_TO_HANDLE = 1, /* name_to_handle_at */
	EV_OPEN_BY_HANDLE,     /* open_by_handle_at */
	EV_FUSE,               /* a FUSE request that ended (tp_btf) */
	EV_FUSE_SEND,          /* pairing fallback: a request sent ... */
	EV_FUSE_END,           /* ... and one that ended, joined in user space */
	EV_MOUNT_API,          /* fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr, mount */
	EV_USDT,               /* a decision inside vfs-serve (USDT probe) */
};

/* Which mount-API syscall, for EV_MOUNT_API. */
enum mount_call { MC_FSOPEN, MC_FSCONFIG, MC_FSMOUNT, MC_MOVE_MOUNT, MC_OPEN_TREE,
		  MC_MOUNT_SETATTR, MC_MOUNT, MC_COUNT };

/* vfs-serve's USDT probes (provider "vfskit"), for EV_USDT. */
enum usdt_probe { UP_HANDLE_FAILED, UP_MOUNT_FD_UNAVAILABLE, UP_FALLBACK_OPATH,
		  UP_IDS_HIT_REJECTED, UP_DUPLICATE_INODE, UP_STALE_HANDLE, UP_COUNT };

struct event {
	unsigned long long ts_ns;
	unsigned long long latency_ns;
	unsigned int kind;
	unsigned int pid, tid;
	char comm[TASK_COMM_LEN];
	long long ret;            /* the result; negative: -errno */
	int dirfd;                /* name_to_handle_at; the mount fd of open_by_handle_at */
	int flags;
	int mount_id;             /* name_to_handle_at's output, -1 unknown */
	int handle_type;
	unsigned int handle_bytes;
	/* FUSE */
	unsigned int opcode;
	unsigned int connection;
	unsigned long long nodeid;
	unsigned long long unique;
	unsigned int req_pid;     /* the process whose request it was */
	/* mount API, USDT */
	unsigned int which;       /* enum mount_call or enum usdt_probe */
	long long arg0, arg1;
	char name[NAME_LEN];
};

#endif
