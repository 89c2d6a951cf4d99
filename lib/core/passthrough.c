/*
 * passthrough: set-up of the core, and the two ways to reach the file
 * behind an inode: its own O_PATH fd, or its handle through a mount fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/errno_name.h"
#include "core/passthrough.h"
#include "obs/usdt.h"
#include "util/handle_text.h"
#include "util/proc_fd.h"


static void drop_resources(struct inode *inode, void *arg)
{
	struct passthrough *pt = arg;

	if (inode->fd >= 0) {
		close(inode->fd);
		inode->fd = -1;
		counter_dec(pt->counters.inode_fds);
	}
	if (inode->mount_ref) {
		mount_fds_put(&pt->mount_fds, inode->mnt_id);
		inode->mount_ref = false;
		inode->mount_fd = -1;
	}
}

int passthrough_init(struct passthrough *pt, const struct passthrough_config *cfg,
		     struct errbuf *why)
{
	struct inode *root;
	struct statx stx;
	uint32_t gen = 0;
	int err;

	memset(pt, 0, sizeof(*pt));
	pt->cfg = *cfg;
	pt->proc_self_fd = -1;
	pthread_mutex_init(&pt->mounts_lock, NULL);
	faults_init(&pt->faults);
	err = decision_log_open(&pt->log, cfg->log_path);
	if (err)
		return errbuf_set(why, err, "cannot open log %s", cfg->log_path);
	err = mount_fds_init(&pt->mount_fds, cfg->mount_fd_source, &pt->faults,
			     &pt->log, &pt->counters);
	if (err) {
		errbuf_set(why, err, "cannot set up the mount fd table");
		goto fail;
	}
	pt->proc_self_fd = pt->mount_fds.proc_self_fd;
	/* A fresh generation per run: handles from an earlier run are stale. */
	if (getrandom(&gen, sizeof(gen), 0) != sizeof(gen))
		gen = (uint32_t)getpid();
	err = inode_store_init(&pt->store, gen, cfg->design == DESIGN_FIXED,
			       cfg->retired_max, drop_resources, pt);
	if (err) {
		errbuf_set(why, err, "cannot make the inode store");
		goto fail;
	}
	root = inode_new(&pt->store);
	if (!root) {
		err = errbuf_set(why, -ENOMEM, "cannot make the root inode");
		goto fail;
	}
	root->fd = open(cfg->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root->fd < 0 ||
	    statx(root->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0) {
		err = errbuf_set(why, -errno, "cannot open source %s", cfg->source);
		if (root->fd >= 0)
			close(root->fd);
		free(root);
		goto fail;
	}
	counter_inc(pt->counters.inode_fds);
	root->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	root->ino = stx.stx_ino;
	root->mnt_id = (int)stx.stx_mnt_id;
	root->mode = stx.stx_mode & S_IFMT;
	root->nlookup = 1;
	inode_store_lock(&pt->store);
	inode_store_add_locked(&pt->store, root, true);
	inode_store_unlock(&pt->store);
	pt->root = root;
	return 0;
fail:
	passthrough_release(pt);
	return err;
}

void passthrough_release(struct passthrough *pt)
{
	if (pt->store.nodeids.buckets)
		inode_store_release(&pt->store);
	mount_fds_release(&pt->mount_fds);
	pt->proc_self_fd = -1;
	decision_log_close(&pt->log);
}

static void log_stale(struct passthrough *pt, struct inode *inode)
{
	struct json_line j;
	char hex[HANDLE_TEXT_MAX];

	VFS_PROBE(stale_handle, inode->nodeid, ESTALE);
	counter_inc(pt->counters.stale_handles);
	if (!decision_log_on(&pt->log))
		return;
	decision_log_begin(&j, "stale_handle");
	json_u64(&j, "nodeid", inode->nodeid);
	json_u64(&j, "ino", inode->ino);
	json_str(&j, "handle", vfs_handle_format(inode->handle, hex, sizeof(hex)));
	decision_log_emit(&pt->log, &j);
}

/* Opens @inode's handle with @flags through its (or a fresh) mount fd. */
static int open_handle(struct passthrough *pt, struct inode *inode, int flags)
{
	int mfd, fd, err;
	bool held = inode->mount_ref;

	if (held) {
		mfd = inode->mount_fd;
	} else {
		/* A lookup-only handle: the mount fd may be openable by now. */
		err = mount_fds_get(&pt->mount_fds, inode->mnt_id, -1, 0, &mfd);
		if (err)
			return err == -ENXIO ? -EIO : err;
	}
	fd = vfs_handle_open(&pt->faults, mfd, inode->handle, flags);
	if (!held)
		mount_fds_put(&pt->mount_fds, inode->mnt_id);
	if (fd == -ESTALE)
		log_stale(pt, inode);
	return fd;
}

int inode_path_fd(struct passthrough *pt, struct inode *inode, bool *tmp)
{
	*tmp = false;
	if (inode->fd >= 0)
		return inode->fd;
	if (!inode->handle)
		return -ESTALE;
	*tmp = true;
	return open_handle(pt, inode, O_PATH | O_NOFOLLOW);
}

int inode_reopen(struct passthrough *pt, struct inode *inode, int flags)
{
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
	if (inode->fd < 0)
		return inode->handle ? open_handle(pt, inode, flags | O_NOFOLLOW) : -ESTALE;
	return proc_fd_reopen(pt->proc_self_fd, inode->fd, flags);
}

void passthrough_note_handles(struct passthrough *pt, int mnt_id)
{
	if (passthrough_mount_has_handles(pt, mnt_id))
		return;
	pthread_mutex_lock(&pt->mounts_lock);
	/* Past the table's end we only lose the extra check, not correctness. */
	if (pt->nhandle_mounts < PASSTHROUGH_MAX_MOUNTS)
		pt->handle_mounts[pt->nhandle_mounts++] = mnt_id;
	pthread_mutex_unlock(&pt->mounts_lock);
}

bool passthrough_mount_has_handles(struct passthrough *pt, int mnt_id)
{
	bool found = false;

	pthread_mutex_lock(&pt->mounts_lock);
	for (unsigned i = 0; i < pt->nhandle_mounts && !found; i++)
		found = pt->handle_mounts[i] == mnt_id;
	pthread_mutex_unlock(&pt->mounts_lock);
	return found;
}

