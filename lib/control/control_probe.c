/* control_probe: see control_probe.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control/control_probe.h"
#include "util/errno_name.h"

#define SYSLOG_ACTION_SIZE_BUFFER 10

/*
 * The routes a confused server could take out of its share: an absolute
 * path; the same through /proc/self/root (a process's own root, never
 * more); through the /proc/self/fd the server keeps, up to its own root
 * and across to the root of the pid-1 process it can see. An fd, -EINVAL
 * for an unknown route, or the open's -errno.
 */
static int open_by_route(struct passthrough *pt, const char *route, const char *path)
{
	static const struct {
		const char *route, *prefix;
		bool proc_fd_relative;
	} routes[] = {
		{ "absolute", "", false },
		{ "proc-self-root", "/proc/self/root", false },
		{ "proc-fd-root", "../root", true },
		{ "proc-init-root", "../../1/root", true },
	};
	char buf[PATH_MAX + 32];

	for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
		int fd;

		if (strcmp(route, routes[k].route))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", routes[k].prefix, path);
		fd = openat(routes[k].proc_fd_relative ? pt->proc_self_fd : AT_FDCWD, buf,
			    O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return -EINVAL;
}

/* "ESTALE", or the number for an errno without a name (errno_parse reads both). */
static void add_errno(struct strbuf *out, const char *what, int err)
{
	const char *name = errno_name(err);

	if (name)
		strbuf_addf(out, "%s%s\n", what, name);
	else
		strbuf_addf(out, "%s%d\n", what, err);
}

static void probe_escape(struct passthrough *pt, const char *route, const char *path,
			 struct strbuf *out)
{
	char head[64];
	ssize_t n;
	int fd;

	if (path[0] != '/') {
		strbuf_addf(out, "err probe escape: '%.64s' is not an absolute path\n", path);
		return;
	}
	fd = open_by_route(pt, route, path);
	if (fd == -EINVAL) {
		strbuf_addf(out, "err probe escape: unknown route '%.64s' (absolute, "
			    "proc-self-root, proc-fd-root or proc-init-root)\n", route);
	} else if (fd < 0) {
		add_errno(out, "ok refused ", -fd);
	} else {
		/* Its first line says what was reached. */
		n = read(fd, head, sizeof(head) - 1);
		close(fd);
		head[n > 0 ? n : 0] = '\0';
		head[strcspn(head, "\n")] = '\0';
		strbuf_addf(out, "read %s\nok escaped\n", head);
	}
}

/* syslog(2) asking the kernel log's size: harmless, and in no allow-list. */
static void probe_syscall(struct strbuf *out)
{
	long r = syscall(SYS_syslog, SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);

	if (r < 0)
		add_errno(out, "ok syslog failed ", errno);
	else
		strbuf_addf(out, "ok syslog returned %ld\n", r);
}

void control_probe(struct passthrough *pt, char **w, int n, struct strbuf *out)
{
	if (n == 4 && !strcmp(w[1], "escape"))
		probe_escape(pt, w[2], w[3], out);
	else if (n == 2 && !strcmp(w[1], "syscall"))
		probe_syscall(out);
	else
		strbuf_addf(out, "err usage: probe escape ROUTE PATH | probe syscall\n");
}
