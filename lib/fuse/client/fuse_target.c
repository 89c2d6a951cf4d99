/* fuse_target: the order is connect, handshake, INIT; any failure says which. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuse/client/fuse_target.h"
#include "transport/vhost_user_state.h"
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
	t->argv = argv;
	t->source = source;
	t->dir = dir;
	t->log = log;
	t->vc = *vc;
	t->state = (struct strbuf)STRBUF_INIT;
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

int fuse_target_save(struct fuse_target *t)
{
	int r;

	if (!t->connected || !t->front || !t->started)
		return errbuf_set(&t->err, -EINVAL, "a migration needs a vhost-user daemon "
				  "started here");
	if (t->saved)
		return errbuf_set(&t->err, -EALREADY, "saved already: load it first");
	if (!(t->front->protocol_acked & (1ull << VHOST_USER_PROTOCOL_F_DEVICE_STATE)))
		return -EOPNOTSUPP; /* not offered: what a scenario's premise asks */
	strbuf_reset(&t->state);
	r = vu_front_stop(t->front);
	if (!r)
		r = vu_front_save_state(t->front, &t->state);
	if (r) {
		char first[sizeof(t->err.msg)];

		snprintf(first, sizeof(first), "%s", t->front->err.msg);
		/* A source that cannot save goes on serving, if it can. */
		if (vu_front_resume(t->front, t->front->sock))
			errbuf_set(&t->err, 0, "%s; the source did not resume: %s", first,
				   t->front->err.msg);
		else
			errbuf_set(&t->err, 0, "%s (the source serves on)", first);
		return r;
	}
	t->saved = true;
	return 0;
}

static int load_hook(struct vu_front *f, void *arg)
{
	const struct strbuf *state = arg;

	return vu_front_load_state(f, state->buf ? state->buf : "", state->len);
}

/* The source's end once the destination serves: its front-end hangs up. */
static void let_go(struct daemon *d, int sock, char *how, size_t len)
{
	close(sock);
	if (!daemon_ended(d, 5000, how, len)) {
		daemon_stop(d, 200);
		daemon_ended(d, 0, how, len);
	}
}

int fuse_target_load(struct fuse_target *t, char *how, size_t len)
{
	struct daemon source = t->daemon;
	int old = t->front ? t->front->sock : -1, sock, r;
	char path[4096], dhow[64], first[sizeof(t->err.msg) + 32];

	snprintf(how, len, "running");
	if (!t->saved)
		return errbuf_set(&t->err, -EINVAL, "nothing saved to load");
	/* {socket}: the source's path is taken; the destination makes it anew, as a new host would. */
	if (t->dir && snprintf(path, sizeof(path), "%s/vhost-user.sock", t->dir) < (int)sizeof(path))
		unlink(path);
	sock = daemon_start(&t->daemon, t->argv, SOCK_STREAM, t->source, t->dir, t->log,
			    t->vc.timeout_ms, &t->err);
	r = sock < 0 ? sock : vu_front_restart(t->front, sock, &t->vc, load_hook, &t->state);
	if (!r) {
		t->saved = false;
		let_go(&source, old, how, len);
		return 0;
	}
	/* daemon_start's own words, or the destination's handshake's. */
	snprintf(first, sizeof(first), "the destination: %s",
		 sock < 0 ? t->err.msg : t->front->err.msg);
	if (sock >= 0)
		let_go(&t->daemon, sock, dhow, sizeof(dhow));
	t->daemon = source;
	t->saved = false;
	if (vu_front_resume(t->front, old))
		errbuf_set(&t->err, 0, "%s; the source did not resume: %s", first,
			   t->front->err.msg);
	else
		errbuf_set(&t->err, 0, "%s (the source serves on)", first);
	return r;
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
	strbuf_release(&t->state);
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

int fuse_target_restart(struct fuse_target *t, int grace_ms, char *how, size_t len)
{
	const struct fuse_init_profile *profile = t->client.profile;
	enum fuse_target_kind kind = t->kind;
	char *const *argv = t->argv;
	const char *source = t->source, *dir = t->dir, *log = t->log;
	struct vu_front_config vc = t->vc;

	if (!t->connected || !t->started)
		return errbuf_set(&t->err, -EINVAL, "a restart needs a daemon started here");
	if (t->saved)
		return errbuf_set(&t->err, -EALREADY, "saved for a migration: load it first");
	/* Its own end: hung up on, as a guest's going away looks, then waited for. */
	fuse_target_close(t, grace_ms, how, len);
	return fuse_target_open(t, kind, argv, NULL, source, dir, log, &vc, profile, false);
}
