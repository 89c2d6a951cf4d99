/*
 * control_cmd: words are split on blanks; a command with a wrong number of
 * words or an unknown word is refused whole, before anything changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "control/control_cmd.h"
#include "control/control_probe.h"
#include "util/file_type.h"
#include "util/errno_name.h"
#include "util/handle_text.h"

#define MAX_WORDS 8


struct dump_arg {
	struct strbuf *out;
	uint64_t ino;       /* 0: all */
	uint64_t nodeid;    /* 0: all */
	unsigned count;
};

static void dump_one(const struct inode_info *i, void *arg)
{
	struct dump_arg *a = arg;
	char hex[HANDLE_TEXT_MAX] = "-";

	if ((a->ino && i->ino != a->ino) || (a->nodeid && i->nodeid != a->nodeid))
		return;
	if (i->handle)
		vfs_handle_format(i->handle, hex, sizeof(hex));
	strbuf_addf(a->out,
		    "inode nodeid=%" PRIu64 " gen=%" PRIu32 " dev=%" PRIu64
		    " ino=%" PRIu64 " mnt_id=%d type=%s handle=%s fd=%s mount_ref=%s"
		    " nlookup=%" PRIu64 " state=%s\n",
		    i->nodeid, i->generation, i->dev, i->ino,
		    i->mnt_id, file_type_name(i->type), hex, i->has_fd ? "yes" : "no",
		    i->mount_ref ? "yes" : "no", i->nlookup,
		    i->retired ? "retired" : "live");
	a->count++;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static void cmd_dump(struct passthrough *pt, char **w, int n, struct strbuf *out)
{
	struct dump_arg a = { .out = out };

	for (int k = 1; k < n; k++) {
		if (!strncmp(w[k], "ino=", 4) && !parse_u64(w[k] + 4, &a.ino) && a.ino)
			continue;
		if (!strncmp(w[k], "nodeid=", 7) && !parse_u64(w[k] + 7, &a.nodeid) && a.nodeid)
			continue;
		strbuf_addf(out, "err dump: bad filter '%s' (want ino=N or nodeid=N)\n", w[k]);
		return;
	}
	inode_store_each(pt->store, dump_one, &a);
	strbuf_addf(out, "ok %u inodes\n", a.count);
}

int control_check_invariants(struct passthrough *pt, struct strbuf *out)
{
	return inode_store_check(pt->store, out);
}

static void cmd_check(struct passthrough *pt, int n, struct strbuf *out)
{
	int v;

	if (n != 1) {
		strbuf_addf(out, "err check: takes no arguments\n");
		return;
	}
	v = control_check_invariants(pt, out);
	if (v < 0)
		strbuf_addf(out, "err check: out of memory: the invariants are unknown\n");
	else if (v)
		strbuf_addf(out, "err %d invariant violation%s\n", v, v == 1 ? "" : "s");
	else
		strbuf_addf(out, "ok invariants hold\n");
}

static void fault_line(struct passthrough *pt, enum fault_point p, struct strbuf *out)
{
	struct fault_state s = faults_get(&pt->faults, p);
	char sched[64];
	const char *e = errno_name(s.err);

	fault_schedule_format(&s.sched, sched, sizeof(sched));
	if (s.armed)
		strbuf_addf(out, "fault %s armed errno=%s schedule=%s calls=%" PRIu64
			    " fired=%" PRIu64 "\n", fault_point_name(p), e ? e : "?",
			    sched, s.calls, s.fired);
	else
		strbuf_addf(out, "fault %s disarmed calls=%" PRIu64 " fired=%" PRIu64 "\n",
			    fault_point_name(p), s.calls, s.fired);
}

static void cmd_fault(struct passthrough *pt, char **w, int n, struct strbuf *out)
{
	struct fault_schedule sched = { .when = FAULT_EVERY };
	enum fault_point p;
	const char *why;
	int err;

	if (n >= 2 && !strcmp(w[1], "list") && n == 2) {
		for (int k = 0; k < FAULT_POINT_COUNT; k++)
			fault_line(pt, k, out);
		strbuf_addf(out, "ok %d fault points\n", FAULT_POINT_COUNT);
		return;
	}
	if (n == 3 && !strcmp(w[1], "clear")) {
		if (!strcmp(w[2], "all")) {
			faults_clear_all(&pt->faults);
		} else if (fault_point_parse(w[2], &p)) {
			strbuf_addf(out, "err fault clear: unknown fault point '%s'\n", w[2]);
			return;
		} else {
			faults_clear(&pt->faults, p);
		}
		strbuf_addf(out, "ok cleared %s\n", w[2]);
		return;
	}
	if ((n == 4 || n == 5) && !strcmp(w[1], "arm")) {
		if (fault_point_parse(w[2], &p)) {
			strbuf_addf(out, "err fault arm: unknown fault point '%s' (known: "
				    "handle_generate mount_fd_open open_by_handle opath_open notify_second_half)\n", w[2]);
			return;
		}
		if (errno_parse(w[3], &err)) {
			strbuf_addf(out, "err fault arm: unknown errno '%s'\n", w[3]);
			return;
		}
		if (n == 5 && fault_schedule_parse(w[4], &sched, &why)) {
			strbuf_addf(out, "err fault arm: bad schedule '%s': %s\n", w[4], why);
			return;
		}
		faults_arm(&pt->faults, p, err, &sched);
		fault_line(pt, p, out);
		strbuf_addf(out, "ok armed %s\n", w[2]);
		return;
	}
	strbuf_addf(out, "err fault: usage: fault arm POINT ERRNO [SCHEDULE] | "
		    "fault clear POINT|all | fault list\n");
}

static void cmd_counters(struct passthrough *pt, int n, struct strbuf *out)
{
	struct counters *c = &pt->counters;
	size_t live, retired;

	if (n != 1) {
		strbuf_addf(out, "err counters: takes no arguments\n");
		return;
	}
	inode_store_counts(pt->store, &live, &retired);
#define C(name, v) strbuf_addf(out, "%s %" PRIu64 "\n", name, (uint64_t)(v))
	C("lookups", counter_get(c->lookups));
	C("forgets", counter_get(c->forgets));
	C("inodes_created", counter_get(c->inodes_created));
	C("found_by_handle", counter_get(c->found_by_handle));
	C("found_by_ids", counter_get(c->found_by_ids));
	C("ids_hits_rejected", counter_get(c->ids_hits_rejected));
	C("fallbacks_opath", counter_get(c->fallbacks_opath));
	C("stale_handles", counter_get(c->stale_handles));
	C("inodes_live", live);
	C("inodes_retired", retired);
	C("inode_fds", counter_get(c->inode_fds));
	C("mount_fds", counter_get(c->mount_fds));
	C("files_open", counter_get(c->files_open));
	C("fds_held", counter_get(c->inode_fds) + counter_get(c->mount_fds) +
			      counter_get(c->files_open));
	C("state_restored", counter_get(c->state_restored));
	C("state_dropped", counter_get(c->state_dropped));
	C("state_records", counter_get(c->state_records));
	C("state_syncs", counter_get(c->state_syncs));
	C("state_rewrites", counter_get(c->state_rewrites));
	for (int e = 0; e <= COUNTERS_MAX_ERRNO; e++) {
		uint64_t v = counter_get(c->handle_failures[e]);
		const char *name = e ? errno_name(e) : "other";

		if (v)
			strbuf_addf(out, "handle_failures.%s %" PRIu64 "\n",
				    name ? name : "other", v);
	}
#undef C
	strbuf_addf(out, "ok counters\n");
}

static void cmd_help(struct strbuf *out)
{
	strbuf_addf(out,
		    "help\n"
		    "dump [ino=N] [nodeid=N]\n"
		    "check\n"
		    "counters\n"
		    "fault arm POINT ERRNO [every|nth=N|first=N|prob=P[,seed=S]]\n"
		    "fault clear POINT|all\n"
		    "fault list\n"
		    "probe escape absolute|proc-self-root|proc-fd-root|proc-init-root PATH\n"
		    "probe syscall\n"
		    "quit\n"
		    "ok commands\n");
}

void control_execute(struct passthrough *pt, const char *line, struct strbuf *out)
{
	char *copy = strdup(line), *w[MAX_WORDS + 1], *save, *tok;
	int n = 0;

	if (!copy) {
		strbuf_addf(out, "err out of memory\n");
		return;
	}
	for (tok = strtok_r(copy, " \t\r", &save); tok && n <= MAX_WORDS;
	     tok = strtok_r(NULL, " \t\r", &save))
		w[n++] = tok;
	if (n == 0)
		strbuf_addf(out, "err empty command (try help)\n");
	else if (n > MAX_WORDS)
		strbuf_addf(out, "err too many words\n");
	else if (!strcmp(w[0], "help"))
		cmd_help(out);
	else if (!strcmp(w[0], "dump"))
		cmd_dump(pt, w, n, out);
	else if (!strcmp(w[0], "check"))
		cmd_check(pt, n, out);
	else if (!strcmp(w[0], "counters"))
		cmd_counters(pt, n, out);
	else if (!strcmp(w[0], "fault"))
		cmd_fault(pt, w, n, out);
	else if (!strcmp(w[0], "probe"))
		control_probe(pt, w, n, out);
	else
		strbuf_addf(out, "err unknown command '%.64s' (try help)\n", w[0]);
	free(copy);
}
