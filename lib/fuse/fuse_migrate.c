/* fuse_migrate: see fuse_migrate.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/persist.h"
#include "fuse/fuse_migrate.h"
#include "fuse/fuse_ops_internal.h"
#include "state/state_image.h"

struct save_opens {
	struct strbuf *out;
	struct errbuf *why;
	int err;
};

static void save_open(uint64_t fh, enum open_kind kind, int fd, void *dir, void *arg)
{
	struct save_opens *s = arg;
	struct vfs_handle *h = NULL;
	int flags, err;

	if (s->err)
		return;
	if (kind == OPEN_DIR)
		fd = dir_stream_fd(dir);
	flags = fcntl(fd, F_GETFL);
	err = flags < 0 ? -errno : vfs_handle_make(fd, "", AT_EMPTY_PATH, &h);
	if (err) {
		s->err = errbuf_set(s->why, err, "open handle %#llx has no file handle to carry",
				    (unsigned long long)fh);
		return;
	}
	state_put_open(s->out, fh, kind, (uint32_t)flags, h);
	vfs_handle_free(h);
}

int fuse_migrate_save(struct passthrough *pt, const void *init, size_t init_len,
		      struct strbuf *out, struct errbuf *why)
{
	struct save_opens s = { out, why, 0 };
	int err = persist_image(pt, out, why);

	if (err)
		return err;
	open_files_each(&pt->files, save_open, &s);
	if (s.err)
		return s.err;
	if (init && init_len && init_len <= STATE_INIT_MAX)
		state_put_init(out, init, init_len);
	return out->failed ? errbuf_set(why, -ENOMEM, "cannot hold the state") : 0;
}

/* Opens the source's open handle @o here again: the fd, or -errno. */
static int reopen(struct passthrough *pt, const struct state_image *img, const struct state_open *o)
{
	/* Never again: O_TRUNC would empty the file the guest has open, O_CREAT/O_EXCL make one. */
	int flags = (int)(o->flags & ~(uint32_t)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY)) | O_CLOEXEC;
	int mnt_id = persist_mount_of(img, o->h->mnt_id);
	struct openable_handle oh;
	struct vfs_handle *h;
	int fd, err;

	if (mnt_id < 0)
		return -ESTALE;
	h = malloc(sizeof(*h) + o->h->bytes);
	if (!h)
		return -ENOMEM;
	memcpy(h, o->h, sizeof(*h) + o->h->bytes);
	h->mnt_id = mnt_id;
	oh.handle = h;
	err = mount_fds_get(&pt->mount_fds, mnt_id, -1, 0, &oh.mount);
	if (err) {
		free(h);
		return err;
	}
	fd = openable_handle_open(&oh, flags | (o->kind == OPEN_DIR ? O_DIRECTORY : 0));
	mount_fds_put(&pt->mount_fds, &oh.mount);
	free(h);
	return fd;
}

int fuse_migrate_load(struct passthrough *pt, const void *buf, size_t len,
		      unsigned char **init, size_t *init_len, struct errbuf *why)
{
	struct state_image img;
	struct errbuf inner;
	int err = state_image_parse(buf, len, &img, &inner);

	*init = NULL;
	*init_len = 0;
	if (err) {
		state_image_free(&img);
		return errbuf_set(why, err, "the state is refused: %s", inner.msg);
	}
	if (img.torn) {
		state_image_free(&img);
		return errbuf_set(why, -EINVAL, "the state ends in a record cut short (%zu bytes)",
				  img.torn);
	}
	err = persist_restore(pt, &img);
	if (err)
		errbuf_set(why, err, "a nodeid the guest holds cannot be named here");
	for (size_t i = 0; i < img.nopens && !err; i++) {
		const struct state_open *o = &img.opens[i];
		void *dir = NULL;
		int fd = reopen(pt, &img, o);

		if (fd < 0) {
			err = errbuf_set(why, fd, "open handle %#llx cannot be opened again",
					 (unsigned long long)o->fh);
			break;
		}
		if (o->kind == OPEN_DIR && !(dir = dir_stream_from_fd(fd))) {
			err = errbuf_set(why, -errno, "open directory %#llx", (unsigned long long)o->fh);
			close(fd);
			break;
		}
		err = open_files_restore(&pt->files, o->fh, (enum open_kind)o->kind,
					 o->kind == OPEN_FILE ? fd : -1, dir);
		if (err) {
			errbuf_set(why, err, "open handle %#llx", (unsigned long long)o->fh);
			if (dir)
				dir_stream_close(dir);
			else
				close(fd);
		}
	}
	open_files_restored(&pt->files);
	if (!err && img.init) {
		*init = img.init;
		*init_len = img.init_len;
		img.init = NULL;
	}
	state_image_free(&img);
	return err;
}
