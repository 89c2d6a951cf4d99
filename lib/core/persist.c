/* persist: see persist.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/mountinfo.h"
#include "core/persist.h"
#include "state/state_file.h"

#define PERSIST_MOUNTS 64 /* mounts whose record is in the file; more are written again */

struct persist {
	pthread_mutex_t lock;  /* protects all but dirfd and name */
	int dirfd, fd;         /* fd: appending, or -1 after a failed rewrite */
	char *name;
	uint64_t limit;        /* on the disk: no nodeid at or past it handed out */
	size_t records, base;  /* appended since the rewrite; records it wrote */
	int mounts[PERSIST_MOUNTS];
	size_t nmounts;
};

static int mount_point(struct passthrough *pt, int mnt_id, char *path, size_t len)
{
	return pt->mount_fds.mountinfo
		? mountinfo_find(AT_FDCWD, pt->mount_fds.mountinfo, mnt_id, path, len)
		: mountinfo_find(pt->proc_self_fd, "../mountinfo", mnt_id, path, len);
}

/* One inode copied out of the store, for writing after its lock is dropped. */
struct copied {
	struct state_inode *v;
	size_t n, cap;
	bool failed;
};

static void copy_one(const struct inode_info *info, void *arg)
{
	struct copied *c = arg;
	struct vfs_handle *h;

	if (!info->handle || info->nodeid == ROOT_NODEID || c->failed)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct state_inode *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->failed = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	h = malloc(sizeof(*h) + info->handle->bytes);
	if (!h) {
		c->failed = true;
		return;
	}
	memcpy(h, info->handle, sizeof(*h) + info->handle->bytes);
	c->v[c->n++] = (struct state_inode){ .nodeid = info->nodeid, .dev = info->dev,
					     .ino = info->ino, .type = info->type, .h = h };
}

/* The image, with @limit as its LIMIT; the mounts written are noted in @mounts. */
static int image(struct passthrough *pt, uint64_t limit, struct strbuf *out,
		 int *mounts, size_t *nmounts, size_t *ninodes)
{
	struct copied c = { 0 };
	int seen_ids[PERSIST_MOUNTS];
	size_t nm = 0, nseen = 0;
	int err = 0;

	inode_store_each(pt->store, copy_one, &c);
	if (c.failed)
		err = -ENOMEM;
	state_put_header(out, inode_store_generation(pt->store));
	state_put_limit(out, limit);
	for (size_t i = 0; i < c.n && !err; i++) {
		int mnt_id = c.v[i].h->mnt_id;
		char point[PATH_MAX];
		bool seen = false;

		/* Few mounts: the ones met so far are a short list. */
		for (size_t j = 0; j < nseen && !seen; j++)
			seen = seen_ids[j] == mnt_id;
		if (seen)
			continue;
		if (nseen < PERSIST_MOUNTS)
			seen_ids[nseen++] = mnt_id;
		/* A mount no longer there: its inodes are left out below. */
		if (mount_point(pt, mnt_id, point, sizeof(point)))
			continue;
		state_put_mount(out, mnt_id, c.v[i].dev, point);
		if (mounts && nm < PERSIST_MOUNTS)
			mounts[nm++] = mnt_id;
	}
	for (size_t i = 0; i < c.n; i++) {
		if (!err)
			state_put_inode(out, c.v[i].nodeid, c.v[i].dev, c.v[i].ino, c.v[i].type,
					c.v[i].h);
		free(c.v[i].h);
	}
	free(c.v);
	if (nmounts)
		*nmounts = nm;
	if (ninodes)
		*ninodes = c.n;
	return err ? err : out->failed ? -ENOMEM : 0;
}

int persist_image(struct passthrough *pt, struct strbuf *out)
{
	return image(pt, inode_store_next_nodeid(pt->store) + PERSIST_RESERVE, out, NULL, NULL, NULL);
}

/* Writes the whole state anew; p->lock held. */
static int rewrite_locked(struct passthrough *pt, struct persist *p)
{
	uint64_t limit = inode_store_next_nodeid(pt->store) + PERSIST_RESERVE;
	struct strbuf b = STRBUF_INIT;
	size_t n = 0;
	int err;

	err = image(pt, limit, &b, p->mounts, &p->nmounts, &n);
	if (!err)
		err = state_file_replace(p->dirfd, p->name, b.buf, b.len);
	strbuf_release(&b);
	if (err)
		return err;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = state_file_open_append(p->dirfd, p->name);
	if (p->fd < 0)
		return p->fd;
	p->limit = limit;
	p->base = n;
	p->records = 0;
	counter_inc(pt->counters.state_rewrites);
	return 0;
}

/* The new mount id of a mount recorded as (mnt_id, dev, point), or -1. */
static int remap_mount(const struct state_mount *m)
{
	struct statx stx;
	int fd = open(m->point, O_PATH | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -1;
	err = statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx);
	close(fd);
	if (err < 0 || !(stx.stx_mask & STATX_MNT_ID) ||
	    makedev(stx.stx_dev_major, stx.stx_dev_minor) != m->dev)
		return -1; /* another filesystem there now: its handles would not open */
	return (int)stx.stx_mnt_id;
}

int persist_restore(struct passthrough *pt, const struct state_image *img)
{
	int *remap = calloc(img->nmounts ? img->nmounts : 1, sizeof(*remap));

	if (!remap)
		return -ENOMEM;
	inode_store_set_generation(pt->store, img->generation);
	for (size_t m = 0; m < img->nmounts; m++)
		remap[m] = remap_mount(&img->mounts[m]);
	for (size_t i = 0; i < img->ninodes; i++) {
		const struct state_inode *si = &img->inodes[i];
		struct inode_restore r = { si->nodeid, si->dev, si->ino, si->type };
		struct vfs_handle *h = NULL;
		int mnt_id = -1;

		for (size_t m = 0; m < img->nmounts && mnt_id < 0; m++)
			if (img->mounts[m].mnt_id == si->h->mnt_id)
				mnt_id = remap[m];
		/* Never again: a lost mount's nodeids stay ESTALE, not reissued. */
		inode_store_skip_nodeids(pt->store, si->nodeid + 1);
		if (mnt_id >= 0) {
			h = malloc(sizeof(*h) + si->h->bytes);
			if (!h) {
				free(remap);
				return -ENOMEM;
			}
			memcpy(h, si->h, sizeof(*h) + si->h->bytes);
			h->mnt_id = mnt_id;
		}
		if (h && inode_store_restore(pt->store, &r, &h)) {
			counter_inc(pt->counters.state_restored);
		} else {
			counter_inc(pt->counters.state_dropped);
			free(h);
		}
	}
	inode_store_skip_nodeids(pt->store, img->limit);
	free(remap);
	return 0;
}

int persist_open_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	int fd;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd < 0 ? -errno : fd;
}

int persist_start(struct passthrough *pt, int dirfd, const char *name, struct errbuf *why)
{
	struct persist *p = calloc(1, sizeof(*p));
	struct strbuf raw = STRBUF_INIT;
	struct state_image img;
	int err;

	if (!p || !(p->name = strdup(name))) {
		free(p);
		close(dirfd);
		return errbuf_set(why, -ENOMEM, "state %s", name);
	}
	pthread_mutex_init(&p->lock, NULL);
	p->dirfd = dirfd;
	p->fd = -1;
	pt->persist = p;
	err = state_file_read(dirfd, name, &raw);
	if (err == -ENOENT) {
		err = 0; /* a first start: the rewrite below creates it */
	} else if (err) {
		errbuf_set(why, err, "cannot read state %s", name);
	} else {
		err = state_image_parse(raw.buf, raw.len, &img, why);
		if (err) {
			struct errbuf inner = *why;

			errbuf_set(why, 0, "state %s refused: %s (move it aside to start without it)",
				   name, inner.msg);
		} else {
			err = persist_restore(pt, &img);
			if (err)
				errbuf_set(why, err, "cannot restore state %s", name);
		}
		state_image_free(&img);
	}
	strbuf_release(&raw);
	if (!err) {
		pthread_mutex_lock(&p->lock);
		err = rewrite_locked(pt, p);
		pthread_mutex_unlock(&p->lock);
		if (err)
			errbuf_set(why, err, "cannot write state %s", name);
	}
	if (err)
		persist_stop(pt);
	return err;
}

void persist_stop(struct passthrough *pt)
{
	struct persist *p = pt->persist;

	if (!p)
		return;
	/* Only a state that loaded (fd open) is rewritten: a refused one is left as it was. */
	if (p->fd >= 0) {
		pthread_mutex_lock(&p->lock);
		rewrite_locked(pt, p);
		pthread_mutex_unlock(&p->lock);
	}
	if (p->fd >= 0)
		close(p->fd);
	close(p->dirfd);
	pthread_mutex_destroy(&p->lock);
	free(p->name);
	free(p);
	pt->persist = NULL;
}

static bool mount_written(struct persist *p, int mnt_id)
{
	for (size_t i = 0; i < p->nmounts; i++)
		if (p->mounts[i] == mnt_id)
			return true;
	return false;
}

int persist_note(struct passthrough *pt, struct inode *inode)
{
	struct persist *p = pt->persist;
	uint64_t nodeid = inode_nodeid(inode), dev, ino;
	struct strbuf b = STRBUF_INIT;
	int mnt_id, err = 0;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (p->fd < 0) {
		err = -EIO; /* the last rewrite failed: nothing may be handed out */
		goto out;
	}
	/* Every nodeid, with a handle or not, must be below the limit on disk. */
	if (nodeid >= p->limit) {
		uint64_t limit = nodeid + PERSIST_RESERVE;

		state_put_limit(&b, limit);
		err = b.failed ? -ENOMEM : state_file_append(p->fd, b.buf, b.len, true);
		if (err)
			goto out;
		p->limit = limit;
		counter_inc(pt->counters.state_syncs);
		strbuf_reset(&b);
	}
	if (!inode_store_claim_note(pt->store, inode))
		goto out;
	inode_ids(inode, &dev, &ino, &mnt_id);
	if (!mount_written(p, mnt_id)) {
		char point[PATH_MAX];

		if (mount_point(pt, mnt_id, point, sizeof(point)))
			goto out; /* not findable: this nodeid will not survive */
		state_put_mount(&b, mnt_id, dev, point);
		if (p->nmounts < PERSIST_MOUNTS)
			p->mounts[p->nmounts++] = mnt_id;
	}
	state_put_inode(&b, nodeid, dev, ino, inode_type(inode), inode_handle(inode));
	/* A record lost here costs this nodeid after a crash, never another file's. */
	if (!b.failed && !state_file_append(p->fd, b.buf, b.len, false)) {
		counter_inc(pt->counters.state_records);
		p->records++;
	}
	if (p->records > PERSIST_RESERVE && p->records > 2 * p->base + 1)
		rewrite_locked(pt, p);
out:
	pthread_mutex_unlock(&p->lock);
	strbuf_release(&b);
	return err;
}
