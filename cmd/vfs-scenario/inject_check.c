/* inject_check: the log is one JSON object per injected call (vfs-inject --log). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inject_check.h"
#include "ops.h"
#include "ops.h"

int inject_arm(const char *armed_path, uint64_t *armed_ns)
{
	struct timespec ts;
	int fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	*armed_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	fd = open(armed_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The syscall a spec names: "name_to_handle_at" of "name_to_handle_at=EIO:nth=2". */
static size_t syscall_len(const char *spec)
{
	return strcspn(spec, "=");
}

bool inject_verify(const char *log, char *const *specs, int n, uint64_t armed_ns,
		   struct strbuf *why)
{
	int fired[64] = { 0 }, early[64] = { 0 };
	char *line = NULL;
	size_t cap = 0;
	bool ok = true;
	FILE *f = fopen(log, "re");

	if (!armed_ns) {
		strbuf_addstr(why, "the inject faults were never armed (no inject arm step ran)\n");
		return false;
	}
	if (n > 64)
		n = 64;
	while (f && getline(&line, &cap, f) > 0) {
		const char *ts = strstr(line, "\"ts_ns\":"), *sys = strstr(line, "\"syscall\":\"");
		uint64_t when;

		if (!ts || !sys)
			continue;
		when = strtoull(ts + 8, NULL, 10);
		sys += 11;
		for (int i = 0; i < n; i++) {
			size_t len = syscall_len(specs[i]);

			if (!strncmp(sys, specs[i], len) && sys[len] == '"') {
				fired[i]++;
				early[i] += when < armed_ns;
				break;
			}
		}
	}
	free(line);
	if (f)
		fclose(f);
	for (int i = 0; i < n; i++) {
		if (early[i]) {
			strbuf_addf(why, "inject %s fired %d time%s before the first step (the "
				    "daemon's start or INIT), not on the request it aims at\n",
				    specs[i], early[i], early[i] == 1 ? "" : "s");
			ok = false;
		} else if (!fired[i]) {
			strbuf_addf(why, "inject %s never fired: the daemon made no such call "
				    "during the steps, so the scenario tested nothing\n", specs[i]);
			ok = false;
		}
	}
	return ok;
}

int op_inject(struct step_ctx *ctx, const char *op, struct strbuf *out)
{
	uint64_t now;
	int err;

	if (!ctx->inject_armed || !ctx->s->ninject) {
		ops_refuse("inject %s: the scenario declares no inject fault", op);
		return -EINVAL;
	}
	if (!strcmp(op, "clear")) {
		if (unlink(ctx->inject_armed) && errno != ENOENT)
			return -errno;
		strbuf_addstr(out, "cleared");
		return 0;
	}
	err = inject_arm(ctx->inject_armed, &now);
	if (!err && !ctx->armed_ns)
		ctx->armed_ns = now;
	if (!err)
		strbuf_addstr(out, "armed");
	return err;
}
