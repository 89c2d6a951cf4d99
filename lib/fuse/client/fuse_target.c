/* fuse_target: the order is connect, handshake, INIT; any failure says which. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "util/unix_socket.h"

int fuse_target_open(struct fuse_target *t, enum fuse_target_kind kind, char *const argv[],
		     const char *path, const char *source, const char *dir, const char *log,
		     const struct vu_front_config *vc, const struct fuse_init_profile *init,
		     bool no_init)
{
	int socktype = kind == FUSE_TARGET_SOCKET ? SOCK_SEQPACKET : SOCK_STREAM;
	struct fuse_transport *tr;
	int sock, r;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	if (argv) {
		t->started = true;
		sock = daemon_start(&t->daemon, argv, socktype, source, dir, log, vc->timeout_ms,
				    &t->err);
	} else {
		sock = unix_connect(path, socktype);
		if (sock < 0)
			errbuf_set(&t->err, sock, "cannot connect to %s", path);
	}
	if (sock < 0)
		return sock;
	if (kind == FUSE_TARGET_VHOST_USER) {
		t->front = calloc(1, sizeof(*t->front));
		if (!t->front) {
			close(sock);
			return errbuf_set(&t->err, -ENOMEM, "front-end");
		}
		r = vu_front_start(t->front, sock, vc);
		if (r) {
			errbuf_set(&t->err, 0, "vhost-user handshake: %s", t->front->err.msg);
			vu_front_close(t->front);
			free(t->front);
			t->front = NULL;
			return r;
		}
		tr = fuse_transport_vhost(t->front);
		if (!tr) {
			vu_front_close(t->front);
			free(t->front);
			t->front = NULL;
		}
	} else {
		tr = fuse_transport_socket(sock);
		if (!tr)
			close(sock);
	}
	if (!tr)
		return errbuf_set(&t->err, -ENOMEM, "transport");
	fuse_client_init(&t->client, tr, vc->timeout_ms);
	if (init)
		t->client.profile = init;
	t->connected = true;
	if (no_init)
		return 0;
	r = fc_init(&t->client, 0);
	if (r)
		return errbuf_set(&t->err, r == -EPROTO ? 0 : r, "FUSE INIT%s%s", r == -EPROTO ?
				  ": " : "", r == -EPROTO ? t->client.why : "");
	return 0;
}

void fuse_target_disconnect(struct fuse_target *t)
{
	if (!t->connected)
		return;
	/* Without GET_VRING_BASE: a hang-up, as a VMM that dies gives. */
	if (t->front)
		t->front->gone = true;
	fuse_client_close(&t->client);
	t->front = NULL;
	t->connected = false;
}

void fuse_target_close(struct fuse_target *t, int grace_ms, char *how, size_t len)
{
	if (t->connected) {
		fuse_client_close(&t->client);
		t->front = NULL;
		t->connected = false;
	}
	snprintf(how, len, "not started here");
	if (!t->started)
		return;
	if (!daemon_ended(&t->daemon, grace_ms, how, len)) {
		daemon_stop(&t->daemon, 200);
		daemon_ended(&t->daemon, 0, how, len);
	}
	t->started = false;
}
