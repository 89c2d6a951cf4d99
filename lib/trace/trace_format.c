/*
 * trace_format: "errno" is always a name ("ESTALE"), or null when the call
 * succeeded; "ret" keeps the raw value.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "fuse/opcodes.h"
#include "util/errno_name.h"
#include "util/json_line.h"
#include "trace/trace_format.h"


const char *fuse_opcode_name(unsigned opcode)
{
	const char *word = fuse_opcode_word(opcode);
	static char buf[24];

	if (word) {
		snprintf(buf, sizeof(buf), "FUSE_%s", word);
		return buf;
	}
	snprintf(buf, sizeof(buf), "FUSE_%u", opcode);
	return buf;
}

const char *usdt_probe_name(unsigned which)
{
	static const char *const n[UP_COUNT] = {
		"handle_failed", "mount_fd_unavailable", "fallback_opath",
		"ids_hit_rejected", "duplicate_inode", "stale_handle",
	};
	return which < UP_COUNT ? n[which] : "?";
}

/* What a probe's first argument is: a mount id, a nodeid or an inode number. */
static const char *usdt_subject(unsigned which)
{
	if (which == UP_MOUNT_FD_UNAVAILABLE)
		return "mnt_id";
	if (which == UP_IDS_HIT_REJECTED || which == UP_DUPLICATE_INODE || which == UP_STALE_HANDLE)
		return "nodeid";
	return "ino";
}

const char *mount_call_name(unsigned which)
{
	static const char *const n[MC_COUNT] = {
		"fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "mount_setattr", "mount",
	};
	return which < MC_COUNT ? n[which] : "?";
}

const char *event_operation(const struct event *e, char *buf, size_t len)
{
	switch (e->kind) {
	case EV_NAME_TO_HANDLE: return "name_to_handle_at";
	case EV_OPEN_BY_HANDLE: return "open_by_handle_at";
	case EV_FUSE:
	case EV_FUSE_SEND:
	case EV_FUSE_END:
		snprintf(buf, len, "%s", fuse_opcode_name(e->opcode));
		return buf;
	case EV_MOUNT_API: return mount_call_name(e->which);
	case EV_USDT:
		snprintf(buf, len, "vfskit:%s", usdt_probe_name(e->which));
		return buf;
	}
	return "?";
}

const char *event_errno(const struct event *e, char *buf, size_t len)
{
	long long err = e->kind == EV_USDT ? e->arg1 : -e->ret;

	if (e->kind == EV_USDT ? err <= 0 : e->ret >= 0)
		return NULL;
	if (errno_name((int)err))
		return errno_name((int)err);
	snprintf(buf, len, "%lld", err);
	return buf;
}

void format_header(char *buf, size_t len, bool timestamps)
{
	snprintf(buf, len, "%s%-7s %-7s %-15s %-22s %-11s %s", timestamps ? "TIME(s)   " : "",
		 "PID", "TID", "COMM", "OPERATION", "ERRNO", "DETAILS");
}

static void details(const struct event *e, char *buf, size_t len)
{
	switch (e->kind) {
	case EV_NAME_TO_HANDLE:
		snprintf(buf, len, "dirfd=%d name=%s flags=%#x handle_bytes=%u%s", e->dirfd,
			 e->name, e->flags, e->handle_bytes, "");
		if (e->mount_id >= 0)
			snprintf(buf + strlen(buf), len - strlen(buf), " mount_id=%d", e->mount_id);
		break;
	case EV_OPEN_BY_HANDLE:
		snprintf(buf, len, "mount_fd=%d handle_type=%d handle_bytes=%u flags=%#x",
			 e->dirfd, e->handle_type, e->handle_bytes, e->flags);
		break;
	case EV_FUSE:
		snprintf(buf, len, "nodeid=%llu unique=%llu requester=%u conn=%u", e->nodeid,
			 e->unique, e->req_pid, e->connection);
		break;
	case EV_USDT:
		snprintf(buf, len, "%s=%lld", usdt_subject(e->which), e->arg0);
		break;
	default:
		buf[0] = '\0';
	}
}

void format_text(const struct event *e, bool timestamps, unsigned long long t0,
		 char *buf, size_t len)
{
	char op[48], eb[16], d[NAME_LEN + 128], ts[24] = "";
	const char *err = event_errno(e, eb, sizeof(eb));

	if (timestamps)
		snprintf(ts, sizeof(ts), "%-9.6f ", (double)(e->ts_ns - t0) / 1e9);
	details(e, d, sizeof(d));
	snprintf(buf, len, "%s%-7u %-7u %-15s %-22s %-11s %s", ts, e->pid, e->tid, e->comm,
		 event_operation(e, op, sizeof(op)), err ? err : "-", d);
}

size_t format_json(const struct event *e, char *buf, size_t len)
{
	struct json_line j;
	char op[48], eb[16];
	const char *err = event_errno(e, eb, sizeof(eb));
	size_t n;

	json_begin(&j);
	json_str(&j, "event", event_operation(e, op, sizeof(op)));
	json_u64(&j, "ts_ns", e->ts_ns);
	json_u64(&j, "pid", e->pid);
	json_u64(&j, "tid", e->tid);
	json_str(&j, "comm", e->comm);
	json_i64(&j, "ret", e->kind == EV_USDT ? -e->arg1 : e->ret);
	if (err)
		json_str(&j, "errno", err);
	else
		json_null(&j, "errno");
	switch (e->kind) {
	case EV_NAME_TO_HANDLE:
		json_i64(&j, "dirfd", e->dirfd);
		json_str(&j, "name", e->name);
		json_i64(&j, "flags", e->flags);
		json_u64(&j, "handle_bytes", e->handle_bytes);
		if (e->mount_id >= 0)
			json_i64(&j, "mount_id", e->mount_id);
		if (e->latency_ns)
			json_u64(&j, "latency_ns", e->latency_ns);
		break;
	case EV_OPEN_BY_HANDLE:
		json_i64(&j, "mount_fd", e->dirfd);
		json_i64(&j, "handle_type", e->handle_type);
		json_u64(&j, "handle_bytes", e->handle_bytes);
		json_i64(&j, "flags", e->flags);
		if (e->latency_ns)
			json_u64(&j, "latency_ns", e->latency_ns);
		break;
	case EV_FUSE:
		json_u64(&j, "opcode", e->opcode);
		json_u64(&j, "nodeid", e->nodeid);
		json_u64(&j, "unique", e->unique);
		json_u64(&j, "requester_pid", e->req_pid);
		json_u64(&j, "daemon_pid", e->pid);
		json_u64(&j, "connection", e->connection);
		if (e->latency_ns)
			json_u64(&j, "latency_ns", e->latency_ns);
		break;
	case EV_USDT:
		json_str(&j, "probe", usdt_probe_name(e->which));
		json_i64(&j, usdt_subject(e->which), e->arg0);
		break;
	default:
		break;
	}
	n = json_end(&j);
	if (n >= len)
		n = len - 1;
	memcpy(buf, j.buf, n);
	buf[n] = '\0';
	return n;
}
