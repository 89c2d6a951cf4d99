/* progress: the terminal's progress line (progress.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"
#include "util/mono_clock.h"

/* What a worker sends: fixed-size, under PIPE_BUF, so writes never interleave. */
struct progress_msg {
	int column;
	char name[200];   /* "" : done */
	char target[96];
};

static struct {
	bool on, worker;
	int total, done;
	int fd[2];
	long long start;
	char running[MAX_TARGETS][300];
} p = { .fd = { -1, -1 } };

bool progress_on(void)
{
	return p.on;
}

int progress_read_fd(void)
{
	return p.on ? p.fd[0] : -1;
}

bool progress_begin(const struct options *o, int total)
{
	if (!isatty(2) || o->verbose || o->list || total <= 0)
		return false;
	if (o->jobs > 1 && pipe2(p.fd, O_CLOEXEC | O_NONBLOCK))
		return false;
	p.on = true;
	p.total = total;
	p.start = mono_ms();
	return true;
}

void progress_worker(void)
{
	if (!p.on)
		return;
	p.worker = true;
	close(p.fd[0]);
	p.fd[0] = -1;
	fcntl(p.fd[1], F_SETFL, 0); /* a worker waits rather than lose a line */
}

static void draw(void)
{
	struct winsize ws = { 0 };
	long long s = (mono_ms() - p.start) / 1000;
	char line[512];
	int first = -1, others = 0, width;

	for (int d = 0; d < MAX_TARGETS; d++)
		if (p.running[d][0]) {
			others += first >= 0;
			first = first >= 0 ? first : d;
		}
	snprintf(line, sizeof(line), "[%d/%d] %lldm%02llds%s%s", p.done, p.total, s / 60, s % 60,
		 first >= 0 ? "  " : "", first >= 0 ? p.running[first] : "");
	if (others)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " (+%d more)", others);
	width = !ioctl(2, TIOCGWINSZ, &ws) && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
	fprintf(stderr, "\r\033[K%.*s", width, line);
	fflush(stderr);
}

void progress_note(int column, const char *name, const char *target)
{
	if (!p.on || column < 0 || column >= MAX_TARGETS)
		return;
	if (p.worker) {
		struct progress_msg m = { .column = column };

		snprintf(m.name, sizeof(m.name), "%s", name ? name : "");
		snprintf(m.target, sizeof(m.target), "%s", target ? target : "");
		if (write(p.fd[1], &m, sizeof(m)) != sizeof(m))
			p.on = false; /* the parent is gone: the line does not matter */
		return;
	}
	if (name) {
		snprintf(p.running[column], sizeof(p.running[column]), "%s [%s]", name, target);
	} else {
		p.running[column][0] = '\0';
		p.done++;
	}
	draw();
}

void progress_poll(void)
{
	struct progress_msg m;

	if (!p.on || p.worker)
		return;
	while (read(p.fd[0], &m, sizeof(m)) == sizeof(m))
		progress_note(m.column, m.name[0] ? m.name : NULL, m.target);
	draw();
}

void progress_end(void)
{
	if (!p.on || p.worker)
		return;
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	p.on = false;
	for (int i = 0; i < 2; i++)
		if (p.fd[i] >= 0)
			close(p.fd[i]);
}
