/*
 * control: one thread polls the listening socket and every connection,
 * all non-blocking. Each client has its own input line buffer and output
 * queue; a command runs only when the client's previous reply has been
 * sent in full, and each poll round runs at most one command per client,
 * so a client that pipelines commands or reads slowly delays nobody but
 * itself. A client that makes no progress (sends nothing, takes none
 * of its queued reply) for the idle timeout is dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/control.h"
#include "control/control_cmd.h"
#include "util/mono_clock.h"

struct client {
	int fd;
	size_t len;           /* bytes in line[] */
	char line[CONTROL_MAX_LINE];
	struct strbuf out;    /* the reply not yet sent */
	size_t sent;          /* of out.len */
	bool closing;         /* close once out is sent */
	bool eof;             /* it sent all it will: serve what is buffered, then close */
	long long last_active; /* ms, monotonic */
};

static bool pending(const struct client *cl)
{
	return cl->sent < cl->out.len;
}

/* Sends what the socket takes now; false when the client must be dropped. */
static bool client_flush(struct client *cl)
{
	while (pending(cl)) {
		ssize_t n = send(cl->fd, cl->out.buf + cl->sent, cl->out.len - cl->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		cl->sent += (size_t)n;
		cl->last_active = mono_ms();
	}
	strbuf_reset(&cl->out);
	cl->sent = 0;
	return !cl->closing;
}

/* A line is refused whole if it holds a byte no command has. */
static int invalid_byte(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)line[i];

		if ((b < 0x20 && b != '\t') || b >= 0x7f)
			return (int)i;
	}
	return -1;
}

/* Runs the first complete line in the buffer, if any. */
static void client_run_one(struct control *c, struct client *cl)
{
	char *nl = memchr(cl->line, '\n', cl->len);
	size_t len;
	int bad;

	if (!nl) {
		if (cl->len == sizeof(cl->line)) {
			strbuf_addf(&cl->out, "err line longer than %d bytes\n", CONTROL_MAX_LINE - 1);
			cl->closing = true;
		}
		return;
	}
	len = (size_t)(nl - cl->line);
	if (len && cl->line[len - 1] == '\r')
		len--; /* a client that ends lines with CRLF */
	bad = invalid_byte(cl->line, len);
	if (bad >= 0) {
		strbuf_addf(&cl->out, "err invalid byte 0x%02x at offset %d: line refused\n",
			    (unsigned char)cl->line[bad], bad);
	} else {
		cl->line[len] = '\0';
		if (!strcmp(cl->line, "quit")) {
			strbuf_addf(&cl->out, "ok bye\n");
			cl->closing = true;
		} else {
			control_execute(c->pt, cl->line, &cl->out);
		}
		if (cl->out.failed || cl->out.len > CONTROL_MAX_REPLY) {
			size_t was = cl->out.len;
			bool failed = cl->out.failed;

			strbuf_release(&cl->out);
			if (failed)
				strbuf_addf(&cl->out, "err out of memory\n");
			else
				strbuf_addf(&cl->out, "err reply of %zu bytes is over the %d byte limit\n",
					    was, CONTROL_MAX_REPLY);
		}
	}
	cl->len -= (size_t)(nl + 1 - cl->line);
	memmove(cl->line, nl + 1, cl->len);
	cl->last_active = mono_ms();
}

/* Reads what the client sent; false when it must be dropped. */
static bool client_read(struct client *cl)
{
	ssize_t n;

	if (cl->closing || cl->eof || cl->len == sizeof(cl->line))
		return true;
	n = recv(cl->fd, cl->line + cl->len, sizeof(cl->line) - cl->len, MSG_DONTWAIT);
	if (n == 0) {
		cl->eof = true; /* answer what it asked for first */
		return true;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	cl->len += (size_t)n;
	cl->last_active = mono_ms(); /* bytes of a line still coming are progress */
	return true;
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	strbuf_release(&cl->out);
}

static void accept_client(struct control *c, struct client *clients, int *n)
{
	static const char full[] = "err too many clients\n";
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (*n == CONTROL_MAX_CLIENTS) {
		if (send(fd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			/* It is closed either way. */
		}
		close(fd);
		return;
	}
	memset(&clients[*n], 0, sizeof(clients[*n]));
	clients[*n].fd = fd;
	strbuf_init(&clients[*n].out);
	clients[*n].last_active = mono_ms();
	(*n)++;
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct client *clients = calloc(CONTROL_MAX_CLIENTS, sizeof(*clients));
	struct pollfd pfd[CONTROL_MAX_CLIENTS + 2];
	int n = 0;

	if (!clients)
		return NULL;
	for (;;) {
		long long now = mono_ms(), wait = -1;

		pfd[0] = (struct pollfd){ .fd = c->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
		for (int k = 0; k < n; k++) {
			struct client *cl = &clients[k];
			long long left = cl->last_active + c->idle_timeout_ms - now;

			/* Input waits while a reply is queued: no unbounded backlog. */
			pfd[k + 2] = (struct pollfd){ .fd = cl->fd,
						      .events = pending(cl) ? POLLOUT :
								cl->eof ? 0 : POLLIN };
			if (!pending(cl) && memchr(cl->line, '\n', cl->len))
				left = 0; /* a command is waiting its turn */
			if (wait < 0 || left < wait)
				wait = left < 0 ? 0 : left;
		}
		if (poll(pfd, (nfds_t)n + 2, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		now = mono_ms();
		for (int k = n - 1; k >= 0; k--) {
			struct client *cl = &clients[k];
			bool keep = true;

			if (pfd[k + 2].revents & (POLLIN | POLLHUP | POLLERR))
				keep = client_read(cl);
			if (keep && !pending(cl)) {
				client_run_one(c, cl);
				keep = !(cl->closing && !pending(cl));
			}
			if (keep && pending(cl))
				keep = client_flush(cl);
			if (keep && now - cl->last_active >= c->idle_timeout_ms)
				keep = false;
			if (keep && cl->eof && !pending(cl) && !memchr(cl->line, '\n', cl->len))
				keep = false; /* all it asked for is answered */
			if (!keep) {
				client_close(cl);
				clients[k] = clients[--n];
			}
		}
		if (pfd[1].revents & POLLIN)
			accept_client(c, clients, &n);
	}
	for (int k = 0; k < n; k++)
		client_close(&clients[k]);
	free(clients);
	return NULL;
}

int control_listen(struct control *c, struct passthrough *pt, const char *path,
		   int idle_timeout_ms, struct errbuf *why)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	memset(c, 0, sizeof(*c));
	c->pt = pt;
	c->idle_timeout_ms = idle_timeout_ms > 0 ? idle_timeout_ms : CONTROL_IDLE_TIMEOUT_MS;
	c->listen_fd = c->wake[0] = c->wake[1] = -1;
	if (strlen(path) >= sizeof(addr.sun_path))
		return errbuf_set(why, -ENAMETOOLONG, "control socket path too long: %s", path);
	strcpy(addr.sun_path, path);
	/* Replace a socket left by an earlier run, never any other file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return errbuf_set(why, -EEXIST, "cannot use %s as control socket: "
					  "it exists and is not a socket", path);
		unlink(path);
	}
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0 || pipe2(c->wake, O_CLOEXEC) < 0 ||
	    bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->listen_fd, 8) < 0) {
		err = errbuf_set(why, -errno, "cannot listen on control socket %s", path);
		control_stop(c);
		return err;
	}
	c->path = strdup(path);
	return 0;
}

int control_run(struct control *c, struct errbuf *why)
{
	int err = pthread_create(&c->thread, NULL, control_thread, c);

	if (err) {
		control_stop(c);
		return errbuf_set(why, -err, "cannot start the control thread");
	}
	c->running = true;
	return 0;
}

void control_forget_path(struct control *c)
{
	free(c->path);
	c->path = NULL;
}

void control_stop(struct control *c)
{
	if (c->running) {
		if (write(c->wake[1], "x", 1) < 0) {
			/* The thread also stops when the pipe closes below. */
		}
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	for (int k = 0; k < 2; k++)
		if (c->wake[k] >= 0)
			close(c->wake[k]);
	if (c->path) {
		unlink(c->path);
		free(c->path);
	}
	c->listen_fd = c->wake[0] = c->wake[1] = -1;
	c->path = NULL;
}
