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

/* The inodes copied out of the store, for writing after its lock is dropped. */
struct copied {
	struct state_inode *v;
	size_t n, cap;
	uint64_t *bare;        /* live inodes without a handle (@live only) */
	size_t nbare, bare_cap;
	bool live, failed;
};

static bool push(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		void *p = realloc(*arr, c * size);

		if (!p)
			return false;
		*arr = p;
		*cap = c;
	}
	(*n)++;
	return true;
}

static void copy_one(const struct inode_info *info, void *arg)
{
	struct copied *c = arg;
	bool live = !info->retired && info->nlookup;
	struct vfs_handle *h;

	if (info->nodeid == ROOT_NODEID || c->failed)
		return;
	if (!info->handle) {
		/* A migration must name every inode the guest holds: one is made for it. */
		if (c->live && live) {
			if (!push((void **)&c->bare, &c->nbare, &c->bare_cap, sizeof(*c->bare)))
				c->failed = true;
			else
				c->bare[c->nbare - 1] = info->nodeid;
		}
		return;
	}
	h = malloc(sizeof(*h) + info->handle->bytes);
	if (!h || !push((void **)&c->v, &c->n, &c->cap, sizeof(*c->v))) {
		free(h);
		c->failed = true;
		return;
	}
	memcpy(h, info->handle, sizeof(*h) + info->handle->bytes);
	c->v[c->n - 1] = (struct state_inode){ .nodeid = info->nodeid, .dev = info->dev,
					       .ino = info->ino, .type = info->type, .h = h,
					       .nlookup = c->live && live ? info->nlookup : 0 };
}

/* Handles for the live inodes that have only an O_PATH fd: 0, or why not. */
static int make_bare_handles(struct passthrough *pt, struct copied *c, struct errbuf *why)
{
	for (size_t i = 0; i < c->nbare; i++) {
		struct inode *inode = inode_store_get(pt->store, c->bare[i]);
		struct inode_info info;
		struct vfs_handle *h = NULL;
		int err = -ESTALE;

		if (!inode)
			continue; /* forgotten meanwhile: nothing to carry */
		inode_store_info(pt->store, inode, &info);
		if (info.has_fd)
			err = vfs_handle_make(inode_fd(inode), "", AT_EMPTY_PATH, &h);
		inode_store_put(pt->store, inode);
		if (!err && !push((void **)&c->v, &c->n, &c->cap, sizeof(*c->v)))
			err = -ENOMEM;
		if (err) {
			vfs_handle_free(h);
			return errbuf_set(why, err, "nodeid %llu has no file handle to carry",
					  (unsigned long long)c->bare[i]);
		}
		c->v[c->n - 1] = (struct state_inode){ .nodeid = info.nodeid, .dev = info.dev,
						       .ino = info.ino, .type = info.type, .h = h,
						       .nlookup = info.nlookup };
	}
	return 0;
}

/*
 * The image, with @limit as its LIMIT; the mounts written are noted in
 * @mounts. @live adds the guest's lookups, and inodes it holds that have
 * no handle get one (a migration's image).
 */
static int image(struct passthrough *pt, uint64_t limit, bool live, struct strbuf *out,
		 int *mounts, size_t *nmounts, size_t *ninodes, struct errbuf *why)
{
	struct copied c = { .live = live };
	int seen_ids[PERSIST_MOUNTS];
	size_t nm = 0, nseen = 0;
	int err = 0;

	inode_store_each(pt->store, copy_one, &c);
	if (c.failed)
		err = errbuf_set(why, -ENOMEM, "cannot copy the inodes");
	if (!err)
		err = make_bare_handles(pt, &c, why);
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
		if (mount_point(pt, mnt_id, point, sizeof(point))) {
			if (live)
				err = errbuf_set(why, -ENOENT, "mount %d of nodeid %llu is not in mountinfo",
						 mnt_id, (unsigned long long)c.v[i].nodeid);
			continue;
		}
		state_put_mount(out, mnt_id, c.v[i].dev, point);
		if (mounts && nm < PERSIST_MOUNTS)
			mounts[nm++] = mnt_id;
	}
	for (size_t i = 0; i < c.n; i++) {
		if (!err)
			state_put_inode(out, c.v[i].nodeid, c.v[i].dev, c.v[i].ino, c.v[i].type,
					c.v[i].h);
		if (!err && c.v[i].nlookup)
			state_put_lookup(out, c.v[i].nodeid, c.v[i].nlookup);
		free(c.v[i].h);
	}
	free(c.v);
	free(c.bare);
	if (nmounts)
		*nmounts = nm;
	if (ninodes)
		*ninodes = c.n;
	if (!err && out->failed)
		err = errbuf_set(why, -ENOMEM, "cannot hold the state");
	return err;
}

int persist_image(struct passthrough *pt, struct strbuf *out, struct errbuf *why)
{
	return image(pt, inode_store_next_nodeid(pt->store) + PERSIST_RESERVE, true, out,
		     NULL, NULL, NULL, why);
}

/* Writes the whole state anew; p->lock held. */
static int rewrite_locked(struct passthrough *pt, struct persist *p)
{
	uint64_t limit = inode_store_next_nodeid(pt->store) + PERSIST_RESERVE;
	struct strbuf b = STRBUF_INIT;
	size_t n = 0;
	int err;

	struct errbuf why;

	err = image(pt, limit, false, &b, p->mounts, &p->nmounts, &n, &why);
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

int persist_mount_of(const struct state_image *img, int mnt_id)
{
	for (size_t m = 0; m < img->nmounts; m++)
		if (img->mounts[m].mnt_id == mnt_id)
			return remap_mount(&img->mounts[m]);
	return -1;
}

/*
 * A live inode for a destination without handles: its lookups find
 * inodes by ids, among those holding an O_PATH fd, so it gets one, and
 * the ids it has here. -1 when its file no longer opens: it stays, with
 * the handle only, and is ESTALE when used.
 */
static int open_live(struct passthrough *pt, const struct vfs_handle *h, struct inode_restore *r)
{
	struct openable_handle oh = { .handle = h };
	struct stat st;
	int fd;

	if (mount_fds_get(&pt->mount_fds, h->mnt_id, -1, 0, &oh.mount))
		return -1;
	fd = openable_handle_open(&oh, O_PATH | O_NOFOLLOW);
	mount_fds_put(&pt->mount_fds, &oh.mount);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static void give_fd(struct passthrough *pt, struct inode *inode, int *fd)
{
	bool given;

	if (*fd < 0)
		return;
	inode_store_lock(pt->store);
	given = inode_store_give_fd_locked(pt->store, inode, fd, true);
	inode_store_unlock(pt->store);
	if (given)
		counter_inc(pt->counters.inode_fds);
	else
		close(*fd);
	*fd = -1;
}

static int by_nodeid(const void *a, const void *b)
{
	const struct state_lookup *x = a, *y = b;

	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

static uint64_t lookups_of(const struct state_lookup *sorted, size_t n, uint64_t nodeid)
{
	struct state_lookup key = { .nodeid = nodeid };
	const struct state_lookup *l = n ? bsearch(&key, sorted, n, sizeof(key), by_nodeid) : NULL;

	return l ? l->nlookup : 0;
}

int persist_restore(struct passthrough *pt, const struct state_image *img)
{
	int *remap = calloc(img->nmounts ? img->nmounts : 1, sizeof(*remap));
	struct state_lookup *sorted = malloc((img->nlookups ? img->nlookups : 1) * sizeof(*sorted));
	size_t lookups_done = 0;
	struct inode *inode;
	uint64_t n;
	int fd;

	if (!remap || !sorted) {
		free(remap);
		free(sorted);
		return -ENOMEM;
	}
	if (img->nlookups)
		memcpy(sorted, img->lookups, img->nlookups * sizeof(*sorted));
	qsort(sorted, img->nlookups, sizeof(*sorted), by_nodeid);
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
				free(sorted);
				return -ENOMEM;
			}
			memcpy(h, si->h, sizeof(*h) + si->h->bytes);
			h->mnt_id = mnt_id;
		}
		n = h ? lookups_of(sorted, img->nlookups, si->nodeid) : 0;
		fd = n && pt->cfg.handles == HANDLES_NEVER ? open_live(pt, h, &r) : -1;
		if (h && (inode = inode_store_restore(pt->store, &r, &h))) {
			counter_inc(pt->counters.state_restored);
			/* Live at once: retired, it could be evicted by the ones after it. */
			if (n && !inode_store_set_lookups(pt->store, si->nodeid, n))
				lookups_done++;
			give_fd(pt, inode, &fd);
		} else {
			counter_inc(pt->counters.state_dropped);
			free(h);
			if (fd >= 0)
				close(fd);
		}
	}
	inode_store_skip_nodeids(pt->store, img->limit);
	free(remap);
	free(sorted);
	/* A migration's: every inode the guest holds came back live. */
	return lookups_done == img->nlookups ? 0 : -ESTALE;
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
