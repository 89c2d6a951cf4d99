/* seccomp_filter: see seccomp_filter.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>

#include "seccomp_filter.h"
#include "util/enum_name.h"

static const char *const action_names[] = { "none", "kill", "log", NULL };

const char *seccomp_action_name(enum seccomp_action a)
{
	return enum_name(action_names, (int)a);
}

int seccomp_action_parse(const char *s, enum seccomp_action *a)
{
	int v, err = enum_parse(action_names, s, &v);

	if (!err)
		*a = (enum seccomp_action)v;
	return err;
}

/*
 * What serving takes: the file system calls of every FUSE request, the
 * threads and memory of libfuse and glibc, the sockets and eventfds of
 * vhost-user and the control socket, the host watchers. Found by reading
 * the code and checked by running the suite with --seccomp=log.
 */
static const char *const allowed[] = {
	/* files */
	"openat", "open", "close", "close_range", "read", "write", "readv", "writev",
	"pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "lseek",
	"fstat", "newfstatat", "statx", "stat", "lstat", "fstatfs", "statfs", "access",
	"faccessat", "faccessat2", /* ACCESS: faccessat(AT_EMPTY_PATH) is faccessat2 */
	"getdents64", "readlinkat", "readlink", "mkdirat", "mknodat", "symlinkat",
	"linkat", "unlinkat", "renameat", "renameat2", "fchmod", "fchmodat", "fchown",
	"fchownat", "ftruncate", "fallocate", "fsync", "fdatasync", "syncfs",
	"utimensat", "flock", "fadvise64", "copy_file_range", "ioctl", "fcntl",
	"dup", "dup2", "dup3", "name_to_handle_at", "open_by_handle_at",
	"getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr",
	"listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
	"fremovexattr", "unlink", "splice", "tee", "vmsplice", "sendfile", "umask",
	/* acting as the guest's users */
	"setfsuid", "setfsgid", "setresuid", "setresgid", "setuid", "setgid",
	"setgroups", "getgroups", "getuid", "geteuid", "getgid", "getegid",
	"getresuid", "getresgid", "capget",
	/* threads, memory, time, signals */
	"clone", "clone3", "exit", "exit_group", "futex", "set_robust_list",
	"get_robust_list", "rseq", "set_tid_address", "gettid", "getpid", "getppid",
	"tgkill", "tkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	"rt_sigtimedwait", "sigaltstack", "mmap", "munmap", "mprotect", "mremap",
	"madvise", "brk", "mlock", "munlock", "membarrier", "sched_yield",
	"sched_getaffinity", "nanosleep", "clock_nanosleep", "clock_gettime",
	"gettimeofday", "time", "getrandom", "prlimit64", "getrlimit", "uname",
	"restart_syscall", "prctl", "arch_prctl",
	/* sockets, polling, eventfds */
	"accept", "accept4", "recvmsg", "sendmsg", "recvfrom", "sendto", "shutdown",
	"getsockopt", "setsockopt", "getsockname", "poll", "ppoll",
	"select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "eventfd2", "pipe", "pipe2",
	/* host change notification */
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_init",
	"fanotify_mark",
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer's last look stops the threads with ptrace from a clone. */
	"ptrace", "process_vm_readv", "mincore", "msync", "getpgid", "sched_getparam",
	"sched_setaffinity", "setpgid", "wait4", "waitid", "kill", "getdents",
#endif
};

int seccomp_filter_install(enum seccomp_action a, bool unmounts, struct errbuf *why)
{
	scmp_filter_ctx ctx;
	int err = 0;

	if (a == SECCOMP_ACTION_NONE)
		return 0;
	ctx = seccomp_init(a == SECCOMP_ACTION_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_LOG);
	if (!ctx)
		return errbuf_set(why, -ENOMEM, "seccomp: cannot make a filter");
	for (size_t k = 0; !err && k < sizeof(allowed) / sizeof(allowed[0]); k++) {
		int nr = seccomp_syscall_resolve_name(allowed[k]);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (err)
			errbuf_set(why, err, "seccomp: cannot allow %s", allowed[k]);
	}
	if (!err && unmounts && (err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(umount2), 0)))
		errbuf_set(why, err, "seccomp: cannot allow umount2");
	/* Every thread, also those a library started already. */
	if (!err && (err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)))
		errbuf_set(why, err, "seccomp: cannot ask for the filter on every thread");
	if (!err && (err = seccomp_load(ctx)))
		errbuf_set(why, err, "seccomp: cannot load the filter");
	seccomp_release(ctx);
	return err;
}
