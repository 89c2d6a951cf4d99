/*
 * trace_opts: vfs-trace's command line, in libbpf-tools' vocabulary.
 */
#ifndef VFS_TRACE_OPTS_H
#define VFS_TRACE_OPTS_H

#include <stdbool.h>

struct trace_opts {
	int pid, tid;
	char comm[16];
	bool failed_only;   /* -x (default) vs -a */
	int err;            /* -e: only this errno, 0: any */
	const char *mountpoint;
	int duration;       /* -d seconds, 0: until SIGINT */
	bool timestamps, json, summary, verbose;
	bool fuse_pairing;  /* --fuse-pairing: the tracepoint pair, not tp_btf */
	int ring_mib;       /* --ring: the ring buffer's size in MiB (a power of two) */
};

/* 0, 1 if --help/--version was handled, or 2 after printing a usage error. */
int trace_opts_parse(int argc, char **argv, struct trace_opts *o);
void trace_usage(FILE *f);

#endif
