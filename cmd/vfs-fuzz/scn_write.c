/*
 * scn_write: a finding as a scenario. Every step is "expect any" (the
 * fuzzer judged none of them alone); the last line is the oracle's
 * witness, with the verdict's site as the bug it must show, so
 * vfs-scenario says "bug reproduced" on the target and PASS where the
 * verdict does not come. A corpus entry (no finding) ends in a check
 * that the daemon lived through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/* Scenario header text holds no newline: the fuzzer's texts are one line, but say so. */
static void one_line(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\n' ? ' ' : *s, f);
}

int scn_write(const struct fuzz_options *o, const struct seq *s, const struct finding *f,
	      long found_at, const char *path)
{
	struct strbuf line = STRBUF_INIT;
	char tmp[PATH_MAX + 32];
	FILE *out;

	/* Whole or not at all: two jobs may find the same site at once. */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	out = fopen(tmp, "we");
	if (!out)
		return -errno;
	if (f) {
		fprintf(out, "# Found by vfs-fuzz %s: ", VFSKIT_VERSION);
		one_line(out, f->text);
		fprintf(out, "\n# seed %llu, at step %ld of its run; shrunk to %zu steps.\n",
			(unsigned long long)o->seed, found_at, s->nr);
	} else {
		fprintf(out, "# vfs-fuzz %s corpus: a run of seed %llu (%ld steps) that got a reply "
			"no run before it had.\n", VFSKIT_VERSION, (unsigned long long)o->seed, found_at);
	}
	if (o->target.base->kind != TARGET_FOREIGN)
		fprintf(out, "# Replay: vfs-scenario --targets=%s %s\n", o->target.name, path);
	else if (!o->socket_transport)
		fprintf(out, "# Replay: vfs-scenario --vhost-user='%s' %s\n", o->paths.vhost_cmd, path);
	else
		fprintf(out, "# Replay: vfs-fuzz's own daemon command; vfs-scenario takes vhost-user ones\n");
	fprintf(out, "title    vfs-fuzz: %s\n", f ? f->site : "corpus");
	fprintf(out, "case     other\n");
	fprintf(out, "fixture  %s\n", o->fixture);
	if (!strcmp(o->fixture, "ext4-small"))
		fprintf(out, "requires root loop\n");
	if (f && f->kind == FINDING_GROWTH)
		fprintf(out, "only     %s\n", o->target.base->name); /* its fds limit is this daemon's */
	if (f)
		fprintf(out, "fails-on %s\n", o->target.base->name);
	for (int i = 0; i < o->ninject; i++)
		fprintf(out, "inject   %s\n", o->inject[i]);
	if (o->nserve_args) {
		fprintf(out, "vfs-serve");
		for (int i = 0; i < o->nserve_args; i++)
			fprintf(out, " %s", o->serve_args[i]);
		fprintf(out, "\n");
	}
	if (o->init)
		fprintf(out, "init     %s\n", o->init->name);
	fprintf(out, "\n");
	for (size_t i = 0; i < s->nr; i++) {
		strbuf_reset(&line);
		fstep_line(&s->v[i], &line);
		fprintf(out, "%s\n", line.buf);
	}
	if (!f)
		fprintf(out, "expect none oracle alive\n");
	else if (f->kind == FINDING_CANARY)
		fprintf(out, "witness expect unchanged canary check\n");
	else if (f->kind == FINDING_GROWTH)
		fprintf(out, "witness expect <=%ld daemon fds\n", f->limit);
	else
		fprintf(out, "witness \"%s\" expect none oracle %s\n", f->site,
			fuzz_oracle_name(f->kind));
	strbuf_release(&line);
	if (fclose(out) || rename(tmp, path)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}
