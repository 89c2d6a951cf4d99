/*
 * ops_notify: notify steps, the guest side of host change notification on
 * a vhost-user target that negotiated VIRTIO_FS_F_NOTIFICATION
 * (fixed-vhost): buffers posted, directories watched, events taken one by
 * one in words ("RENAME 1 a 1 b", "OVERFLOW 1", "none").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "ops.h"
#include "ops_oracle.h"

#define WATCH_DEFAULT (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

static struct notify_driver driver;
static struct { unsigned long long nodeid; uint32_t mask; } watched[64];
static int nwatched;

static uint32_t watched_mask(unsigned long long nodeid)
{
	for (int k = 0; k < nwatched; k++)
		if (watched[k].nodeid == nodeid)
			return watched[k].mask;
	return 0;
}

static void note_watch(unsigned long long nodeid, uint32_t mask, bool un)
{
	int k;

	for (k = 0; k < nwatched && watched[k].nodeid != nodeid; k++)
		;
	if (un) {
		if (k < nwatched)
			watched[k] = watched[--nwatched];
	} else if (k < nwatched) {
		watched[k].mask = mask;
	} else if (nwatched < 64) {
		watched[nwatched].nodeid = nodeid;
		watched[nwatched++].mask = mask;
	}
}

/* start BUFFERS [hold] [orphan=MS]: buffers of the size the device asks for. */
static int notify_start(struct step_ctx *ctx, struct vu_front *f, int argc, char **argv,
			struct strbuf *out)
{
	char *end, cfg[44];
	long n = strtol(argv[0], &end, 10), orphan = 1000;
	uint32_t size = VFSKIT_NOTIFY_BUF_MIN;
	bool hold = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "hold"))
			hold = true;
		else if (!strncmp(argv[i], "orphan=", 7))
			orphan = strtol(argv[i] + 7, NULL, 10);
		else {
			ops_refuse("notify start: '%s' is neither hold nor orphan=MS", argv[i]);
			return -EINVAL;
		}
	}
	if (*end || n < 1 || n > NOTIFY_DRIVER_MAX_BUFS || orphan < 1 || orphan > 60000) {
		ops_refuse("notify start: 1 to %d buffers, orphan=1 to 60000 ms",
			   NOTIFY_DRIVER_MAX_BUFS);
		return -EINVAL;
	}
	/* The size must fit the largest record. */
	if (!vu_front_get_config(f, cfg, sizeof(cfg)))
		memcpy(&size, cfg + 40, 4);
	if (size < VFSKIT_NOTIFY_BUF_MIN) {
		strbuf_addf(out, "notify_buf_size %u < %zu", size, (size_t)VFSKIT_NOTIFY_BUF_MIN);
		return -EMSGSIZE; /* the device's error: its records could not fit */
	}
	ctx->notify = &driver;
	strbuf_addf(out, "ok");
	return notify_driver_start(&driver, f, (int)n, size, hold, (int)orphan);
}

/* "create,move" as an inotify mask into *@mask; -EINVAL after a refusal. */
static int watch_mask(const char *words, uint32_t *mask)
{
	char *copy = strdup(words), *save, *w;

	if (!copy)
		return -ENOMEM;
	*mask = 0;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		uint32_t bit = !strcmp(w, "create") ? IN_CREATE : !strcmp(w, "delete") ?
			IN_DELETE : !strcmp(w, "move") ? IN_MOVED_FROM | IN_MOVED_TO :
			!strcmp(w, "modify") ? IN_MODIFY : !strcmp(w, "attrib") ? IN_ATTRIB : 0;

		if (!bit) {
			ops_refuse("notify watch: '%s' is not create, delete, move, modify or attrib",
				   w);
			free(copy);
			return -EINVAL;
		}
		*mask |= bit;
	}
	free(copy);
	return 0;
}

/* watch|unwatch NODEID [WHAT,...] */
static int notify_watch(struct step_ctx *ctx, const char *op, int argc, char **argv,
			struct strbuf *out)
{
	char *end;
	unsigned long long node = strtoull(argv[0], &end, 10);
	uint32_t mask = WATCH_DEFAULT;
	int r;

	if (*end || !*argv[0]) {
		ops_refuse("notify %s: '%s' is not a nodeid", op, argv[0]);
		return -EINVAL;
	}
	if (argc > 1) {
		r = watch_mask(argv[1], &mask);
		if (r)
			return r;
	}
	r = fc_watch(&ctx->fuse->client, node, mask, op[0] == 'u');
	if (!r)
		note_watch(node, mask, op[0] == 'u');
	strbuf_addf(out, "ok");
	return r;
}

/* oracle start NODEID=PATH... | oracle inotify|fanotify */
static int notify_oracle(struct step_ctx *ctx, int argc, char **argv, struct strbuf *out)
{
	if (!strcmp(argv[0], "start"))
		return oracle_start(ctx->host_root, argc - 1, argv + 1, watched_mask, out);
	if ((strcmp(argv[0], "inotify") && strcmp(argv[0], "fanotify")) || argc > 1) {
		ops_refuse("notify oracle: start NODEID=PATH..., inotify or fanotify, not '%s'",
			   argv[0]);
		return -EINVAL;
	}
	return oracle_compare(argv[0], out);
}

/*
 * drain HALVES [MS]: takes deliveries until HALVES halves are accounted
 * for (a rename is two, a lone half or another event one, an overflow the
 * count it says was lost) or none comes within MS: "halves N".
 */
static int notify_drain(struct step_ctx *ctx, int argc, char **argv, struct strbuf *out)
{
	char *end;
	long want = strtol(argv[0], &end, 10), ms = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	unsigned long long halves = 0, renames = 0, lone = 0, lost = 0, other = 0;
	struct notify_delivery d;

	if (!ctx->notify || *end || want < 1 || ms < 1 || ms > 60000) {
		ops_refuse("notify drain: HALVES at least 1, MS from 1 to 60000, after notify start");
		return -EINVAL;
	}
	while (halves < (unsigned long long)want) {
		int r = notify_driver_next(ctx->notify, (int)ms, &d);

		if (r < 0)
			return r;
		if (!r)
			break;
		if ((d.mask & IN_MOVED_FROM) && (d.mask & IN_MOVED_TO))
			renames++, halves += 2;
		else if (d.mask & IN_Q_OVERFLOW)
			lost += d.cookie, halves += d.cookie;
		else if (d.mask & (IN_MOVED_FROM | IN_MOVED_TO))
			lone++, halves++;
		else
			other++, halves++;
	}
	if (ctx->verbose)
		fprintf(stderr, "notify drain: %llu renames, %llu lone halves, %llu lost, "
			"%llu other\n", renames, lone, lost, other);
	strbuf_addf(out, "halves %llu", halves);
	return 0;
}

/* next [MS]: the next event in words, or "none". */
static int notify_next(struct step_ctx *ctx, int argc, char **argv, struct strbuf *out)
{
	struct notify_delivery d;
	char *end = "", text[600];
	long ms = argc ? strtol(argv[0], &end, 10) : 2000;
	int r;

	if (!ctx->notify) {
		ops_refuse("notify next: no notify start before it");
		return -EINVAL;
	}
	if (*end || ms < 0 || ms > 60000) {
		ops_refuse("notify next: MS from 0 to 60000");
		return -EINVAL;
	}
	r = notify_driver_next(ctx->notify, (int)ms, &d);
	if (r < 0)
		return r;
	if (!r) {
		strbuf_addf(out, "none");
		return 0;
	}
	notify_delivery_text(&d, text, sizeof(text));
	oracle_note_guest(text);
	strbuf_addstr(out, text);
	return 0;
}

int op_notify(struct step_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out)
{
	struct vu_front *f = ctx->fuse && ctx->fuse->connected ? ctx->fuse->front : NULL;

	oracle_drain();
	if (!f || f->notification < 0) {
		ops_refuse("notify %s: the target has no notification queue (vhost-user with "
			   "VIRTIO_FS_F_NOTIFICATION: fixed-vhost)", op);
		return -EOPNOTSUPP;
	}
	if (!strcmp(op, "start"))
		return notify_start(ctx, f, argc, argv, out);
	if (!strcmp(op, "watch") || !strcmp(op, "unwatch"))
		return notify_watch(ctx, op, argc, argv, out);
	if (!strcmp(op, "oracle"))
		return notify_oracle(ctx, argc, argv, out);
	if (!strcmp(op, "drain"))
		return notify_drain(ctx, argc, argv, out);
	return notify_next(ctx, argc, argv, out);
}
