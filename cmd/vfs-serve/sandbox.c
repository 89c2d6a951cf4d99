/* sandbox: see sandbox.h. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "sandbox.h"
#include "util/enum_name.h"
#include "util/proc_fd.h"

static const char *const mode_names[] = { "none", "chroot", "namespace", NULL };

const char *sandbox_mode_name(enum sandbox_mode m)
{
	return enum_name(mode_names, (int)m);
}

int sandbox_mode_parse(const char *s, enum sandbox_mode *m)
{
	int v, err = enum_parse(mode_names, s, &v);

	if (!err)
		*m = (enum sandbox_mode)v;
	return err;
}

static volatile pid_t server_pid;

static void forward_signal(int sig)
{
	if (server_pid > 0)
		kill(server_pid, sig);
}

/* The parent's whole life once it forked the server: wait, clean up, pass the status on. */
static void __attribute__((noreturn)) wait_for_server(pid_t pid, const sigset_t *old,
						      const struct sandbox_leftovers *l)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status = 0;

	for (int k = 0; k < l->nfds; k++)
		close(l->fds[k]);
	server_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (int k = 0; k < 2; k++)
		if (l->unlink[k])
			unlink(l->unlink[k]);
	/* The server's end of the FUSE connection is gone; the mount is ours to take down. */
	if (l->unmount)
		umount2(l->unmount, MNT_DETACH);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "vfs-serve: the sandboxed server was killed by signal %d (%s)\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* The server's side: its own /proc, then the share as its root. */
static int enter_namespaces(const char *share, int *proc_fd, struct errbuf *why)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot make / a slave mount");
	if (mount("proc", "/proc", "proc", MS_NODEV | MS_NOEXEC | MS_NOSUID | MS_RELATIME, NULL) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot mount /proc for the new pid namespace");
	*proc_fd = proc_fd_dir_open();
	if (*proc_fd < 0)
		return errbuf_set(why, *proc_fd, "sandbox: cannot open /proc/self/fd");
	/* pivot_root wants a mount point; the bind brings the share's submounts along. */
	if (mount(share, share, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot bind-mount %s", share);
	if (chdir(share) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot enter %s", share);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return errbuf_set(why, -errno, "sandbox: cannot pivot_root into %s", share);
	/* The old root now sits on top of the new one: detach it, and all below it. */
	if (umount2(".", MNT_DETACH) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot detach the old root");
	if (chdir("/") < 0)
		return errbuf_set(why, -errno, "sandbox: cannot enter the new root");
	return 0;
}

static int enter_chroot(const char *share, int *proc_fd, struct errbuf *why)
{
	*proc_fd = proc_fd_dir_open();
	if (*proc_fd < 0)
		return errbuf_set(why, *proc_fd, "sandbox: cannot open /proc/self/fd");
	if (chroot(share) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot chroot into %s", share);
	if (chdir("/") < 0)
		return errbuf_set(why, -errno, "sandbox: cannot enter the new root");
	return 0;
}

int sandbox_enter(enum sandbox_mode mode, const char *share,
		  const struct sandbox_leftovers *leftovers, int *proc_self_fd,
		  struct errbuf *why)
{
	sigset_t all, old;
	pid_t pid;
	int err;

	*proc_self_fd = -1;
	if (mode == SANDBOX_NONE)
		return 0;
	/*
	 * glibc loads libgcc_s at the first pthread_cancel (libfuse's workers
	 * end so): in the new root there is no library to load. Now, then.
	 */
	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE))
		return errbuf_set(why, -ENOENT, "sandbox: cannot load libgcc_s.so.1 "
				  "before the root changes: %s", dlerror());
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * LeakSanitizer reads /proc/self/task at exit, which a confined root
	 * has not: check now, while it can, and not again (ASan stays on).
	 */
	__lsan_do_leak_check();
#endif
	/* The parent stays in the host's mounts: it unmounts there at the end. */
	if (mode == SANDBOX_NAMESPACE && unshare(CLONE_NEWPID) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot make a pid namespace "
				  "(try --sandbox=chroot or none)");
	/* A stop signal before the parent forwards them would be lost: hold them. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return errbuf_set(why, err, "sandbox: cannot fork the server");
	}
	if (pid > 0)
		wait_for_server(pid, &old, leftovers);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* Dies with the parent: a server nobody waits for would outlive its cleanup. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		err = errbuf_set(why, -errno, "sandbox: cannot set the parent-death signal");
	else if (mode == SANDBOX_CHROOT)
		err = enter_chroot(share, proc_self_fd, why);
	else if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
		err = errbuf_set(why, -errno, "sandbox: cannot make mount and network namespaces");
	else
		err = enter_namespaces(share, proc_self_fd, why);
	if (!err && fchdir(*proc_self_fd) < 0)
		err = errbuf_set(why, -errno, "sandbox: cannot enter /proc/self/fd");
	if (err) {
		if (*proc_self_fd >= 0)
			close(*proc_self_fd);
		*proc_self_fd = -1;
		return err;
	}
	proc_fd_paths_relative();
	return 0;
}

int sandbox_rlimit_nofile(unsigned long n, struct errbuf *why)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errbuf_set(why, -errno, "cannot read RLIMIT_NOFILE");
	if (n && n > rl.rlim_max)
		return errbuf_set(why, -EINVAL, "--rlimit-nofile=%lu is over the hard limit %llu",
				  n, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = n ? n : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errbuf_set(why, -errno, "cannot set RLIMIT_NOFILE to %llu",
				  (unsigned long long)rl.rlim_cur);
	return 0;
}
