/*
 * vfs-trace: user space of the eBPF tracer of file-handle failures.
 * Loads vfs-trace.bpf.c (CO-RE, skeleton), attaches its hooks, and prints
 * what comes through the ring buffer; see trace_opts.c for the options.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "trace/fuse_pairing.h"
#include "trace/trace_event.h"
#include "trace/trace_format.h"
#include "trace/trace_opts.h"
#include "trace/tracefs.h"
#include "vfs-trace.skel.h"

static volatile sig_atomic_t stop;
static bool draining; /* the last consume, after the stop: take everything */

/* How long an event may wait in a ring that is not full enough to wake us. */
#define POLL_MS 10
static struct trace_opts opts;
static struct fuse_pairing pairing;
static unsigned long long first_ts;
static unsigned int fuse_conn = (unsigned)-1; /* -m on a FUSE mount */
static int mount_id = -1;                      /* -m: that mount's id */

#define MAX_SUMMARY 512
#define HIST_SLOTS 32
static struct summary_row {
	char comm[TASK_COMM_LEN], op[48], err[16];
	unsigned long long count;
} rows[MAX_SUMMARY];
static int nrows;
static struct histogram {
	char op[48];
	unsigned long long slot[HIST_SLOTS];
} hists[64];
static int nhists;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* libbpf's own messages: with -v only, and never its misleading memlock hint. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, args);
	if (strstr(line, "ulimit") || strstr(line, "RLIMIT_MEMLOCK") || strstr(line, "memlock"))
		return 0;
	(void)level;
	if (!opts.verbose)
		return 0;
	return fputs(line, stderr);
}

static void summarize(const struct event *e)
{
	char opbuf[48], eb[16];
	const char *err = event_errno(e, eb, sizeof(eb));
	const char *op = event_operation(e, opbuf, sizeof(opbuf));
	int i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].comm, e->comm) && !strcmp(rows[i].op, op) &&
		    !strcmp(rows[i].err, err ? err : "-"))
			break;
	if (i == nrows && nrows < MAX_SUMMARY) {
		snprintf(rows[i].comm, sizeof(rows[i].comm), "%s", e->comm);
		snprintf(rows[i].op, sizeof(rows[i].op), "%s", op);
		snprintf(rows[i].err, sizeof(rows[i].err), "%s", err ? err : "-");
		nrows++;
	}
	if (i < nrows)
		rows[i].count++;
	if (!e->latency_ns)
		return;
	for (i = 0; i < nhists && strcmp(hists[i].op, op); i++)
		;
	if (i == nhists && nhists < 64)
		snprintf(hists[nhists++].op, sizeof(hists[0].op), "%s", op);
	if (i < nhists) {
		unsigned long long us = e->latency_ns / 1000;
		int slot = 0;

		while (us > 1 && slot < HIST_SLOTS - 1) {
			us >>= 1;
			slot++;
		}
		hists[i].slot[slot]++;
	}
}

static void print_summary(void)
{
	printf("\n%-15s %-22s %-11s %10s\n", "COMM", "OPERATION", "ERRNO", "COUNT");
	for (int i = 0; i < nrows; i++)
		printf("%-15s %-22s %-11s %10llu\n", rows[i].comm, rows[i].op, rows[i].err,
		       rows[i].count);
	for (int i = 0; i < nhists; i++) {
		printf("\nlatency of %s\n%18s : %s\n", hists[i].op, "usecs", "count");
		for (int s = 0; s < HIST_SLOTS; s++)
			if (hists[i].slot[s])
				printf("%8llu -> %-8llu : %llu\n", s ? 1ULL << s : 0ULL,
				       (1ULL << (s + 1)) - 1, hists[i].slot[s]);
	}
}

/* The filters the kernel side could not apply. */
static bool wanted(const struct event *e)
{
	if (e->kind == EV_FUSE && fuse_conn != (unsigned)-1 && e->connection != fuse_conn)
		return false;
	if (opts.mountpoint && e->kind == EV_NAME_TO_HANDLE &&
	    (e->mount_id >= 0 ? e->mount_id != mount_id
			      : strncmp(e->name, opts.mountpoint, strlen(opts.mountpoint))))
		return false;
	if (opts.mountpoint && (e->kind == EV_MOUNT_API))
		return false;
	return true;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;
	struct event joined;
	char line[NAME_LEN + 512];

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->kind == EV_FUSE_SEND) {
		fuse_pairing_send(&pairing, e);
		return 0;
	}
	if (e->kind == EV_FUSE_END) {
		if (!fuse_pairing_end(&pairing, e, &joined))
			return 0;
		/* The tracepoint pair is unfiltered in the kernel: filter here. */
		if ((opts.failed_only && joined.ret >= 0) ||
		    (opts.err && joined.ret != -opts.err) ||
		    (opts.pid && joined.req_pid != (unsigned)opts.pid && joined.pid != (unsigned)opts.pid))
			return 0;
		e = &joined;
	}
	if (!wanted(e))
		return 0;
	if (!first_ts)
		first_ts = e->ts_ns;
	if (opts.summary)
		summarize(e);
	if (opts.json) {
		format_json(e, line, sizeof(line));
		fputs(line, stdout);
	} else {
		format_text(e, opts.timestamps, first_ts, line, sizeof(line));
		puts(line);
	}
	/*
	 * Under a flood the ring never empties: a stop ends the batch, after
	 * this event (libbpf drops the record whose callback fails).
	 */
	return stop && !draining ? -EINTR : 0; /* stdout is flushed per batch */
}

static const char *hint(int err)
{
	if (err == EPERM || err == EACCES)
		return ": run as root, or with CAP_BPF and CAP_PERFMON";
	return "";
}

static struct vfs_trace_bpf *load(bool pairing_mode, int *errp)
{
	struct vfs_trace_bpf *skel = vfs_trace_bpf__open();
	int err;

	if (!skel) {
		*errp = errno;
		return NULL;
	}
	skel->rodata->targ_tgid = (unsigned)opts.pid;
	skel->rodata->targ_tid = (unsigned)opts.tid;
	memcpy((char *)skel->rodata->targ_comm, opts.comm, sizeof(opts.comm));
	skel->rodata->failed_only = opts.failed_only;
	skel->rodata->targ_errno = opts.err;
	skel->rodata->nr_open_by_handle_at = SYS_open_by_handle_at;
	skel->rodata->with_latency = opts.summary;
	skel->rodata->wakeup_bytes = ((unsigned long long)opts.ring_mib << 20) / 16;
	bpf_map__set_max_entries(skel->maps.events, (unsigned)opts.ring_mib << 20);
	/* Latency needs the entry time: entry hooks only with -s. */
	bpf_program__set_autoload(skel->progs.enter_name_to_handle, opts.summary);
	bpf_program__set_autoload(skel->progs.enter_open_by_handle, opts.summary);
	bpf_program__set_autoload(skel->progs.raw_enter_open_by_handle, opts.summary);
	bpf_program__set_autoload(skel->progs.fuse_end_btf, !pairing_mode);
	bpf_program__set_autoload(skel->progs.fuse_send_tp, pairing_mode);
	bpf_program__set_autoload(skel->progs.fuse_end_tp, pairing_mode);
	/* USDT only for a vfs-serve process (-p), attached by hand below. */
	bpf_program__set_autoload(skel->progs.vfskit_probe, opts.pid > 0);
	err = vfs_trace_bpf__load(skel);
	if (err) {
		*errp = -err;
		vfs_trace_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* Attaches every vfskit probe of -p's binary; 0 attached is fine (not vfs-serve). */
static int attach_usdt(struct vfs_trace_bpf *skel, struct bpf_link **links)
{
	char exe[64];
	int n = 0;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", opts.pid);
	for (int i = 0; i < UP_COUNT; i++) {
		LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = (unsigned long long)i);

		links[i] = bpf_program__attach_usdt(skel->progs.vfskit_probe, opts.pid, exe,
						    "vfskit", usdt_probe_name(i), &uo);
		if (!links[i])
			continue;
		n++;
	}
	return n;
}

/*
 * Attaches every loaded program but the USDT one, hook by hook, so that a
 * hook this machine refuses can be replaced rather than failing the rest.
 */
static int attach_all(struct vfs_trace_bpf *skel, struct bpf_link **links, int *n)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(p) || p == skel->progs.vfskit_probe ||
		    p == skel->progs.raw_enter_open_by_handle)
			continue;
		l = bpf_program__attach(p);
		if (!l && p == skel->progs.enter_open_by_handle) {
			int err = errno;

			l = bpf_program__attach(skel->progs.raw_enter_open_by_handle);
			if (l && opts.verbose)
				fprintf(stderr, "vfs-trace: hook syscalls:sys_enter_open_by_handle_at "
					"unavailable (%s): using raw_tp/sys_enter for it\n", strerror(err));
		}
		if (!l) {
			int err = errno;

			fprintf(stderr, "vfs-trace: cannot attach %s (%s): %s%s\n",
				bpf_program__name(p), bpf_program__section_name(p), strerror(err),
				hint(err));
			return -err;
		}
		links[(*n)++] = l;
	}
	return 0;
}

static unsigned long long lost_events(struct vfs_trace_bpf *skel)
{
	unsigned long long n = 0;
	unsigned int zero = 0;

	bpf_map__lookup_elem(skel->maps.lost, &zero, sizeof(zero), &n, sizeof(n), 0);
	return n;
}

int main(int argc, char **argv)
{
	struct bpf_link *usdt_links[UP_COUNT] = { 0 }, *links[64] = { 0 };
	int nlinks = 0;
	struct vfs_trace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	bool pairing_mode;
	char header[128];
	time_t end;
	int rc = trace_opts_parse(argc, argv, &opts), err = 0, nusdt = 0;
	unsigned long long lost;

	if (rc)
		return rc == 1 ? 0 : rc;
	/* Events come in batches (see submit() in vfs-trace.bpf.c): a large
	 * stdout buffer, flushed after each batch. Set before any output. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		fprintf(stderr, "vfs-trace: this kernel has no BTF (/sys/kernel/btf/vmlinux): "
			"it needs CONFIG_DEBUG_INFO_BTF=y\n");
		return 1;
	}
	if (opts.mountpoint) {
		struct statx x;

		if (statx(AT_FDCWD, opts.mountpoint, 0, STATX_MNT_ID, &x) < 0) {
			fprintf(stderr, "vfs-trace: cannot stat %s: %s\n", opts.mountpoint, strerror(errno));
			return 2;
		}
		mount_id = (int)x.stx_mnt_id;
		fuse_conn = makedev(x.stx_dev_major, x.stx_dev_minor);
	}
	err = tracefs_ensure();
	if (err) {
		fprintf(stderr, "vfs-trace: tracefs is not mounted and cannot be mounted here (%s): "
			"run as root, or as root run 'mount -t tracefs nodev %s' and then "
			"CAP_BPF and CAP_PERFMON suffice\n", strerror(-err), TRACEFS_DIR);
		return 1;
	}
	libbpf_set_print(print_libbpf);
	if (fuse_pairing_init(&pairing, 4096))
		return 1;
	pairing_mode = opts.fuse_pairing;
	skel = load(pairing_mode, &err);
	if (!skel && !pairing_mode && err != EPERM && err != EACCES) {
		/* tp_btf on fuse_request_end missing: the tracepoint pair instead. */
		if (opts.verbose)
			fprintf(stderr, "vfs-trace: tp_btf/fuse_request_end did not load (%s); "
				"pairing fuse_request_send/_end instead\n", strerror(err));
		pairing_mode = true;
		skel = load(true, &err);
	}
	if (!skel) {
		fprintf(stderr, "vfs-trace: cannot load the BPF programs: %s%s\n", strerror(err),
			hint(err));
		rc = 1;
		goto out;
	}
	err = attach_all(skel, links, &nlinks);
	if (err) {
		rc = 1;
		goto out;
	}
	if (opts.pid > 0)
		nusdt = attach_usdt(skel, usdt_links);
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "vfs-trace: cannot open the ring buffer: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (opts.verbose)
		fprintf(stderr, "vfs-trace: FUSE requests through %s; %d vfs-serve probes attached\n",
			pairing_mode ? "fuse_request_send/_end" : "tp_btf/fuse_request_end", nusdt);
	fprintf(stderr, "Tracing file-handle failures%s... Hit Ctrl-C to end.\n",
		opts.failed_only ? "" : " and successes");
	if (!opts.json) {
		format_header(header, sizeof(header), opts.timestamps);
		puts(header);
		fflush(stdout);
	}
	end = opts.duration ? time(NULL) + opts.duration : 0;
	while (!stop && (!end || time(NULL) < end)) {
		err = ring_buffer__poll(rb, POLL_MS);
		/* Events under the wake-up mark raise no epoll event: take them. */
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err == -EINTR && stop)
			break;
		fflush(stdout);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "vfs-trace: reading events: %s\n", strerror(-err));
			rc = 1;
			break;
		}
	}
	/* What came in since the last poll, before the summary and the exit. */
	draining = true;
	if (rb)
		ring_buffer__consume(rb);
	fflush(stdout);
	if (opts.summary)
		print_summary();
	lost = lost_events(skel);
	if (lost)
		fprintf(stderr, "vfs-trace: lost %llu events (ring buffer full)\n", lost);
out:
	ring_buffer__free(rb);
	for (int i = 0; i < UP_COUNT; i++)
		bpf_link__destroy(usdt_links[i]);
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	vfs_trace_bpf__destroy(skel);
	fuse_pairing_release(&pairing);
	return rc;
}
