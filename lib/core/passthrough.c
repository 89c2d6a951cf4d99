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
#include "core/persist.h"
#include "obs/usdt.h"
#include "util/handle_text.h"
#include "util/proc_fd.h"


/* The store gives back what an inode held, after dropping its lock. */
static void close_inode_fd(int fd, void *arg)
{
	struct passthrough *pt = arg;

	close(fd);
	counter_dec(pt->counters.inode_fds);
}

static void put_inode_mount_ref(struct mount_ref *ref, void *arg)
{
	struct passthrough *pt = arg;

	mount_fds_put(&pt->mount_fds, ref);
}

/* The root: SOURCE itself, nodeid 1, with an O_PATH fd for good. */
static int make_root(struct passthrough *pt, const char *source, struct errbuf *why)
{
	struct inode_new n = { .fd = -1, .mount = MOUNT_REF_NONE, .in_ids = true };
	struct statx stx;

	n.fd = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (n.fd < 0 ||
	    statx(n.fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0) {
		int err = errbuf_set(why, -errno, "cannot open source %s", source);

		if (n.fd >= 0)
			close(n.fd);
		return err;
	}
	n.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	n.ino = stx.stx_ino;
	n.mnt_id = (int)stx.stx_mnt_id;
	n.type = stx.stx_mode & S_IFMT;
	inode_store_lock(pt->store);
	pt->root = inode_store_create_locked(pt->store, &n);
	inode_store_unlock(pt->store);
	if (!pt->root) {
		close(n.fd);
		return errbuf_set(why, -ENOMEM, "cannot make the root inode");
	}
	counter_inc(pt->counters.inode_fds);
	return 0;
}

/* --state: @dirfd is its directory's, or -1 to open it here (no sandbox). */
static int start_state(struct passthrough *pt, const char *path, int dirfd, struct errbuf *why)
{
	const char *slash = strrchr(path, '/');

	if (dirfd < 0)
		dirfd = persist_open_dir(path);
	if (dirfd < 0)
		return errbuf_set(why, dirfd, "cannot open the directory of state %s", path);
	return persist_start(pt, dirfd, slash ? slash + 1 : path, why);
}

int passthrough_init(struct passthrough *pt, const struct passthrough_config *cfg,
		     struct errbuf *why)
{
	static const struct passthrough_fds none = { -1, -1, -1 };

	return passthrough_init_at(pt, cfg, &none, why);
}

int passthrough_init_at(struct passthrough *pt, const struct passthrough_config *cfg,
			const struct passthrough_fds *fds, struct errbuf *why)
{
	struct inode_store_hooks hooks = { close_inode_fd, put_inode_mount_ref, pt };
	uint32_t gen = 0;
	int err, state_dir_fd;

	memset(pt, 0, sizeof(*pt));
	pt->cfg = *cfg;
	pt->proc_self_fd = -1;
	pthread_mutex_init(&pt->mounts_lock, NULL);
	/* The FUSE layer says how a directory closes; files_open counts what is open on the host. */
	open_files_init(&pt->files, NULL, &pt->counters.files_open);
	faults_init(&pt->faults);
	state_dir_fd = fds->state_dir_fd;
	pt->log.fd = fds->log_fd;
	err = fds->log_fd >= 0 ? 0 : decision_log_open(&pt->log, cfg->log_path);
	if (err) {
		if (fds->proc_self_fd >= 0)
			close(fds->proc_self_fd);
		if (state_dir_fd >= 0)
			close(state_dir_fd);
		return errbuf_set(why, err, "cannot open log %s", cfg->log_path);
	}
	err = mount_fds_init(&pt->mount_fds, cfg->mount_fd_source, &pt->faults,
			     &pt->log, &pt->counters, fds->proc_self_fd);
	if (err) {
		errbuf_set(why, err, "cannot set up the mount fd table");
		goto fail;
	}
	pt->proc_self_fd = pt->mount_fds.proc_self_fd;
	/*
	 * A fresh generation per run: handles from an earlier run are stale,
	 * unless --state brings that run's nodeids back with its generation.
	 */
	if (getrandom(&gen, sizeof(gen), 0) != sizeof(gen))
		gen = (uint32_t)getpid();
	pt->store = inode_store_new(gen, cfg->design == DESIGN_FIXED, cfg->retired_max, &hooks);
	if (!pt->store) {
		err = errbuf_set(why, -ENOMEM, "cannot make the inode store");
		goto fail;
	}
	err = make_root(pt, cfg->source, why);
	if (err)
		goto fail;
	if (cfg->state_path) {
		err = start_state(pt, cfg->state_path, state_dir_fd, why);
		state_dir_fd = -1; /* taken */
		if (err)
			goto fail;
	}
	return 0;
fail:
	if (state_dir_fd >= 0)
		close(state_dir_fd);
	passthrough_release(pt);
	return err;
}

void passthrough_release(struct passthrough *pt)
{
	open_files_release(&pt->files);
	persist_stop(pt);
	inode_store_free(pt->store);
	pt->store = NULL;
	pt->root = NULL;
	mount_fds_release(&pt->mount_fds);
	pt->proc_self_fd = -1;
	decision_log_close(&pt->log);
}

static void log_stale(struct passthrough *pt, struct inode *inode)
{
	struct json_line j;
	char hex[HANDLE_TEXT_MAX];
	uint64_t ino;

	VFS_PROBE(stale_handle, inode_nodeid(inode), ESTALE);
	counter_inc(pt->counters.stale_handles);
	if (!decision_log_on(&pt->log))
		return;
	inode_ids(inode, NULL, &ino, NULL);
	decision_log_begin(&j, "stale_handle");
	json_u64(&j, "nodeid", inode_nodeid(inode));
	json_u64(&j, "ino", ino);
	json_str(&j, "handle", vfs_handle_format(inode_handle(inode), hex, sizeof(hex)));
	decision_log_emit(&pt->log, &j);
}

/* Opens @inode's handle with @flags through its (or a fresh) mount fd. */
static int open_handle(struct passthrough *pt, struct inode *inode, int flags)
{
	struct openable_handle oh;
	bool held = inode_store_openable(pt->store, inode, &oh) == 0;
	int fd, err;

	if (!held) {
		int mnt_id;

		/* A lookup-only handle: the mount fd may be openable by now. */
		inode_ids(inode, NULL, NULL, &mnt_id);
		oh.handle = inode_handle(inode);
		err = mount_fds_get(&pt->mount_fds, mnt_id, -1, 0, &oh.mount);
		if (err)
			return err == -ENXIO ? -EIO : err;
	}
	fd = fault_check(&pt->faults, FAULT_OPEN_BY_HANDLE);
	if (!fd)
		fd = openable_handle_open(&oh, flags);
	if (!held)
		mount_fds_put(&pt->mount_fds, &oh.mount);
	if (fd == -ESTALE)
		log_stale(pt, inode);
	return fd;
}

int inode_path_fd(struct passthrough *pt, struct inode *inode, bool *tmp)
{
	int fd = inode_fd(inode);

	*tmp = false;
	if (fd >= 0)
		return fd;
	if (!inode_handle(inode))
		return -ESTALE;
	*tmp = true;
	return open_handle(pt, inode, O_PATH | O_NOFOLLOW);
}

int inode_reopen(struct passthrough *pt, struct inode *inode, int flags)
{
	mode_t type = inode_type(inode);
	int fd = inode_fd(inode);

	/*
	 * A guest's kernel opens its device nodes, FIFOs and sockets itself,
	 * never through FUSE: an OPEN of one is a hostile guest's, and opened
	 * here it would reach a host device or block the server on a FIFO
	 * (the class of CVE-2020-35517).
	 */
	if (!S_ISREG(type) && !S_ISDIR(type))
		return -EACCES;
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
	if (fd < 0)
		return inode_handle(inode) ? open_handle(pt, inode, flags | O_NOFOLLOW) : -ESTALE;
	return proc_fd_reopen(pt->proc_self_fd, fd, flags);
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

