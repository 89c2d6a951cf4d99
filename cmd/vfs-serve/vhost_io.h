/*
 * vhost_io: vfs-serve as a vhost-user back-end (--vhost-user, --fd): the
 * virtio-fs device a VMM's vhost-user-fs-pci (or vfskit's front-end)
 * drives. libfuse's session reads requests from the device's virtqueues
 * and writes replies into them through fuse_session_custom_io; the
 * vhost-user messages are answered in the session's thread, between
 * requests; further request queues may have threads of their own.
 */
#ifndef VFS_SERVE_VHOST_IO_H
#define VFS_SERVE_VHOST_IO_H

#include <fuse_lowlevel.h>

#include <stdio.h>

#include "notify/notify_proto.h"
#include "util/errbuf.h"

/*
 * What the notification queue's buffers must hold (config notify_buf_size):
 * a fuse_out_header, an event record and a NAME_MAX name: each part of a
 * rename has a buffer of its own (notify_proto.h).
 */
#define VHOST_IO_NOTIFY_BUF_SIZE VFSKIT_NOTIFY_BUF_MIN

/* A listening unix stream socket at @path (created), or -errno. */
int vhost_io_listen(const char *path, struct errbuf *e);

/*
 * Waits for one front-end on @listen_fd (closed then, unless
 * @keep_listening: --reconnect waits there for the next) and makes its
 * device @se's channel, with @request_queues request queues and @tag for
 * GET_CONFIG; with @threads above 0, each request queue after the first
 * is served by a thread of its own. 0 or -errno. The session ends when
 * the front-end hangs up.
 */
int vhost_io_attach(struct fuse_session *se, int listen_fd, bool keep_listening,
		    int request_queues, int threads, const char *tag, enum notify_policy policy,
		    enum notify_backend backend, struct errbuf *e);

/* The request queues' threads stopped and joined (each finishes its request); before teardown. */
void vhost_io_stop_lanes(void);

/*
 * "vfs-serve: notify: backend=fanotify host_events=N unknown=N ..." on
 * @f when a front-end watched anything: what change notification sent,
 * dropped and lost.
 */
void vhost_io_report(FILE *f);

#endif
