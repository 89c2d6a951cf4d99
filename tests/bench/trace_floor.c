/*
 * trace_floor: loads trace_floor.bpf.o (programs that do nothing on
 * vfs-trace's default hooks) and keeps them attached until SIGINT, like
 * vfs-trace does: the floor of tracing those hooks at all.
 *
 * usage: trace_floor BPF_OBJECT
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "trace/tracefs.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[16];
	struct bpf_program *p;
	struct bpf_object *obj;
	int n = 0;

	if (argc != 2 || tracefs_ensure())
		return 2;
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "trace_floor: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		if (n < 16 && (links[n] = bpf_program__attach(p)))
			n++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "Tracing nothing on %d hooks\n", n);
	while (!stop)
		pause();
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
