/*
 * control: a poll loop over non-blocking sockets. Replies are written with
 * a send timeout; the reader side buffers one line per client.
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
#include <unistd.h>

#include "control.h"
#include "control_cmd.h"

struct client {
	int fd;
	size_t len;
	char line[CONTROL_MAX_LINE];
};

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Handles the bytes a client sent; false when it must be dropped. */
static bool client_input(struct control *c, struct client *cl, struct strbuf *out)
{
	ssize_t n = recv(cl->fd, cl->line + cl->len, sizeof(cl->line) - cl->len, 0);
	char *nl;

	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	cl->len += (size_t)n;
	while ((nl = memchr(cl->line, '\n', cl->len))) {
		*nl = '\0';
		strbuf_reset(out);
		if (!strcmp(cl->line, "quit")) {
			send_all(cl->fd, "ok bye\n", 7);
			return false;
		}
		control_execute(c->pt, cl->line, out);
		if (out->failed) {
			strbuf_reset(out);
			strbuf_addf(out, "err out of memory\n");
		}
		if (send_all(cl->fd, out->buf, out->len))
			return false;
		cl->len -= (size_t)(nl + 1 - cl->line);
		memmove(cl->line, nl + 1, cl->len);
	}
	if (cl->len == sizeof(cl->line)) {
		char msg[80];
		int m = snprintf(msg, sizeof(msg), "err line longer than %d bytes\n",
				 CONTROL_MAX_LINE - 1);

		send_all(cl->fd, msg, (size_t)m);
		return false;
	}
	return true;
}

static void accept_client(struct control *c, struct client *clients, int *n)
{
	struct timeval tv = { .tv_sec = 2 };
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (*n == CONTROL_MAX_CLIENTS) {
		send_all(fd, "err too many clients\n", 21);
		close(fd);
		return;
	}
	/* A client that does not read its replies is dropped, not waited for. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	clients[*n].fd = fd;
	clients[*n].len = 0;
	(*n)++;
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct client *clients = calloc(CONTROL_MAX_CLIENTS, sizeof(*clients));
	struct pollfd pfd[CONTROL_MAX_CLIENTS + 2];
	struct strbuf out = STRBUF_INIT;
	int n = 0;

	if (!clients)
		return NULL;
	for (;;) {
		pfd[0] = (struct pollfd){ .fd = c->wake[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
		for (int k = 0; k < n; k++)
			pfd[k + 2] = (struct pollfd){ .fd = clients[k].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		for (int k = n - 1; k >= 0; k--) {
			if (!pfd[k + 2].revents)
				continue;
			if (!client_input(c, &clients[k], &out)) {
				close(clients[k].fd);
				clients[k] = clients[--n];
			}
		}
		if (pfd[1].revents & POLLIN)
			accept_client(c, clients, &n);
	}
	for (int k = 0; k < n; k++)
		close(clients[k].fd);
	free(clients);
	strbuf_release(&out);
	return NULL;
}

int control_start(struct control *c, struct passthrough *pt, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	memset(c, 0, sizeof(*c));
	c->pt = pt;
	c->listen_fd = c->wake[0] = c->wake[1] = -1;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "vfs-serve: control socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, path);
	/* Replace a socket left by an earlier run, never any other file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "vfs-serve: cannot use %s as control socket: "
				"it exists and is not a socket\n", path);
			return -EEXIST;
		}
		unlink(path);
	}
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0 || pipe2(c->wake, O_CLOEXEC) < 0 ||
	    bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->listen_fd, 8) < 0) {
		err = -errno;
		fprintf(stderr, "vfs-serve: cannot listen on control socket %s: %s\n",
			path, strerror(errno));
		control_stop(c);
		return err;
	}
	c->path = strdup(path);
	err = pthread_create(&c->thread, NULL, control_thread, c);
	if (err) {
		control_stop(c);
		return -err;
	}
	c->running = true;
	return 0;
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
