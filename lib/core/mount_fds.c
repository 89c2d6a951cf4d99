/*
 * mount_fds: a mount fd is opened O_RDONLY (open_by_handle_at rejects O_PATH
 * fds), which is why opening the wrong kind of file would be harmful: a
 * FIFO blocks, a device node may act on open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "core/mount_fds.h"
#include "obs/usdt.h"
#include "core/mountinfo.h"
#include "util/proc_fd.h"

struct mount_fd_entry {
	struct mount_fd_entry *next;
	int mnt_id;
	int fd;
	unsigned refs;
};

int mount_fds_init(struct mount_fds *m, enum mount_fd_source source,
		   struct faults *faults, struct decision_log *log,
		   struct counters *counters, int proc_self_fd)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->source = source;
	m->faults = faults;
	m->log = log;
	m->counters = counters;
	m->proc_self_fd = proc_self_fd >= 0 ? proc_self_fd : proc_fd_dir_open();
	return m->proc_self_fd < 0 ? m->proc_self_fd : 0;
}

void mount_fds_release(struct mount_fds *m)
{
	struct mount_fd_entry *e, *next;

	for (e = m->entries; e; e = next) {
		next = e->next;
		close(e->fd);
		counter_dec(m->counters->mount_fds);
		free(e);
	}
	m->entries = NULL;
	if (m->proc_self_fd >= 0)
		close(m->proc_self_fd);
	m->proc_self_fd = -1;
}

static bool openable(mode_t mode)
{
	return S_ISREG(mode) || S_ISDIR(mode);
}

static int open_first_openable(struct mount_fds *m, int candidate, mode_t mode)
{
	if (candidate < 0 || !openable(mode))
		return -ENXIO;
	return proc_fd_reopen(m->proc_self_fd, candidate, O_RDONLY | O_NONBLOCK | O_NOCTTY);
}

static int open_mount_root(struct mount_fds *m, int mnt_id)
{
	char path[PATH_MAX];
	struct statx stx;
	int fd, err;

	/* Beside the fd directory: a sandbox's root has no /proc. */
	err = m->mountinfo ? mountinfo_find(AT_FDCWD, m->mountinfo, mnt_id, path, sizeof(path))
			   : mountinfo_find(m->proc_self_fd, "../mountinfo", mnt_id, path, sizeof(path));
	if (err)
		return err;
	/*
	 * A file bind mount's root may be a FIFO or a device node: look
	 * before opening, never open one to find out.
	 */
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
		return -errno;
	if (!openable(stx.stx_mode))
		return -ENXIO;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The path may be over-mounted or be another mount by now. */
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_TYPE, &stx) < 0) {
		err = -errno;
	} else if (!(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != (uint64_t)mnt_id) {
		err = -EXDEV;
	} else if (!openable(stx.stx_mode)) {
		err = -ENXIO;
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static void log_mount_fd(struct mount_fds *m, const char *event, int mnt_id, int err)
{
	struct json_line j;

	if (!decision_log_on(m->log))
		return;
	decision_log_begin(&j, event);
	json_i64(&j, "mnt_id", mnt_id);
	json_str(&j, "source", mount_fd_source_name(m->source));
	if (err) {
		const char *name = errno_name(-err);

		json_str(&j, "errno", name ? name : "unknown");
	}
	decision_log_emit(m->log, &j);
}

int mount_fds_get(struct mount_fds *m, int mnt_id, int candidate, mode_t mode,
		  struct mount_ref *ref)
{
	struct mount_fd_entry *e;
	int err, nfd;

	pthread_mutex_lock(&m->lock);
	for (e = m->entries; e; e = e->next)
		if (e->mnt_id == mnt_id) {
			e->refs++;
			*ref = (struct mount_ref){ .mnt_id = mnt_id, .fd = e->fd };
			pthread_mutex_unlock(&m->lock);
			return 0;
		}
	err = fault_check(m->faults, FAULT_MOUNT_FD_OPEN);
	if (!err) {
		nfd = m->source == MOUNT_FD_MOUNTINFO ? open_mount_root(m, mnt_id)
						      : open_first_openable(m, candidate, mode);
		if (nfd < 0)
			err = nfd;
	}
	if (!err) {
		e = malloc(sizeof(*e));
		if (!e) {
			close(nfd);
			err = -ENOMEM;
		}
	}
	if (err) {
		pthread_mutex_unlock(&m->lock);
		VFS_PROBE(mount_fd_unavailable, mnt_id, -err);
		log_mount_fd(m, "mount_fd_failed", mnt_id, err);
		return err;
	}
	*e = (struct mount_fd_entry){ .next = m->entries, .mnt_id = mnt_id,
				      .fd = nfd, .refs = 1 };
	m->entries = e;
	counter_inc(m->counters->mount_fds);
	*ref = (struct mount_ref){ .mnt_id = mnt_id, .fd = nfd };
	pthread_mutex_unlock(&m->lock);
	log_mount_fd(m, "mount_fd_opened", mnt_id, 0);
	return 0;
}

void mount_fds_put(struct mount_fds *m, struct mount_ref *ref)
{
	struct mount_fd_entry **p, *e;

	if (ref->fd < 0)
		return;
	pthread_mutex_lock(&m->lock);
	for (p = &m->entries; (e = *p); p = &e->next)
		if (e->mnt_id == ref->mnt_id) {
			if (--e->refs == 0) {
				*p = e->next;
				close(e->fd);
				counter_dec(m->counters->mount_fds);
				free(e);
			}
			break;
		}
	pthread_mutex_unlock(&m->lock);
	ref->fd = -1;
}

unsigned mount_fds_refs(struct mount_fds *m, int mnt_id)
{
	unsigned refs = 0;

	pthread_mutex_lock(&m->lock);
	for (struct mount_fd_entry *e = m->entries; e; e = e->next)
		if (e->mnt_id == mnt_id)
			refs = e->refs;
	pthread_mutex_unlock(&m->lock);
	return refs;
}

unsigned mount_fds_count(struct mount_fds *m)
{
	unsigned n = 0;

	pthread_mutex_lock(&m->lock);
	for (struct mount_fd_entry *e = m->entries; e; e = e->next)
		n++;
	pthread_mutex_unlock(&m->lock);
	return n;
}

