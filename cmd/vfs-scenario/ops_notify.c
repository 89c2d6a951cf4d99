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

#define WATCH_DEFAULT (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

static struct notify_driver driver;

int op_notify(struct run_ctx *ctx, const char *op, int argc, char **argv, struct strbuf *out)
{
	struct vu_front *f = ctx->fuse && ctx->fuse->connected ? ctx->fuse->front : NULL;
	char *end;

	if (!f || f->notification < 0) {
		ops_refuse("notify %s: the target has no notification queue (vhost-user with "
			   "VIRTIO_FS_F_NOTIFICATION: fixed-vhost)", op);
		return -EOPNOTSUPP;
	}
	if (!strcmp(op, "start")) {
		long n = strtol(argv[0], &end, 10), orphan = 1000;
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
		/* Buffers of the size the device asks for, which must fit the largest record. */
		{
			char cfg[44];
			uint32_t size = VFSKIT_NOTIFY_BUF_MIN;

			if (!vu_front_get_config(f, cfg, sizeof(cfg)))
				memcpy(&size, cfg + 40, 4);
			if (size < VFSKIT_NOTIFY_BUF_MIN) {
				strbuf_addf(out, "notify_buf_size %u < %zu", size,
					    (size_t)VFSKIT_NOTIFY_BUF_MIN);
				return -EMSGSIZE; /* the device's error: its records could not fit */
			}
			ctx->notify = &driver;
			strbuf_addf(out, "ok");
			return notify_driver_start(&driver, f, (int)n, size, hold, (int)orphan);
		}
	}
	if (!strcmp(op, "watch") || !strcmp(op, "unwatch")) {
		unsigned long long node = strtoull(argv[0], &end, 10);
		uint32_t mask = WATCH_DEFAULT;

		if (*end || !*argv[0]) {
			ops_refuse("notify %s: '%s' is not a nodeid", op, argv[0]);
			return -EINVAL;
		}
		if (argc > 1) {
			char *copy = strdup(argv[1]), *save, *w;

			mask = 0;
			for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				uint32_t bit = !strcmp(w, "create") ? IN_CREATE : !strcmp(w, "delete") ?
					IN_DELETE : !strcmp(w, "move") ? IN_MOVED_FROM | IN_MOVED_TO :
					!strcmp(w, "modify") ? IN_MODIFY : !strcmp(w, "attrib") ? IN_ATTRIB : 0;

				if (!bit) {
					ops_refuse("notify watch: '%s' is not create, delete, move, "
						   "modify or attrib", w);
					free(copy);
					return -EINVAL;
				}
				mask |= bit;
			}
			free(copy);
		}
		strbuf_addf(out, "ok");
		return fc_watch(&ctx->fuse->client, node, mask, op[0] == 'u');
	}
	/* next [MS] */
	{
		struct notify_delivery d;
		long ms = argc ? strtol(argv[0], &end, 10) : 2000;
		char text[600];
		int r;

		if (!ctx->notify) {
			ops_refuse("notify next: no notify start before it");
			return -EINVAL;
		}
		if ((argc && *end) || ms < 0 || ms > 60000) {
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
		strbuf_addf(out, "%s", text);
		return 0;
	}
}
