/*
 * options: vfs-serve's command line. Parsing is separate from main() so
 * that every flag and every refusal is in one place, with --help beside it.
 */
#ifndef VFS_SERVE_OPTIONS_H
#define VFS_SERVE_OPTIONS_H

#include <limits.h>
#include <stdbool.h>

#include "core/passthrough.h"

struct serve_options {
	struct passthrough_config cfg;
	const char *mountpoint;    /* absolute where it exists, as --control */
	char mountpoint_abs[PATH_MAX];
	const char *control;       /* absolute: --background changes directory */
	char control_abs[PATH_MAX];
	int control_idle_ms;
	const char *fuse_socket;   /* socket mode: listen here */
	const char *vhost_socket;  /* vhost-user mode: listen here */
	int vhost_fd;              /* vhost-user mode: on this listening fd; -1: none */
	const char *tag;           /* vhost-user: GET_CONFIG's tag */
	int request_queues;        /* vhost-user: request queues offered */
	int thread_pool_size;      /* vhost-user: above 0, a thread per request queue after the first */
	bool print_capabilities;
	int sandbox;               /* enum sandbox_mode */
	int seccomp;               /* enum seccomp_action */
	unsigned long rlimit_nofile; /* 0: raise the soft limit to the hard one */
	int notify_policy;         /* enum notify_policy */
	int notify_backend;        /* enum notify_backend */
	bool reconnect;            /* vhost-user: serve the next front-end after one hangs up */
	int fuse_fd;               /* socket mode: on this listening fd; -1: none */
	bool single_thread;
	bool background;
	bool mount_over;
	bool debug;
	bool help, version;
};

/* 0, or 2 (usage error, message printed) */
int serve_options_parse(int argc, char **argv, struct serve_options *o);
void serve_usage(FILE *f);

#endif
