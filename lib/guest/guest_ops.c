/*
 * guest_ops: what only the guest side can do: file handles of the FUSE
 * mount (name_to_handle_at / open_by_handle_at), dropping the kernel's
 * caches so it sends FORGET, and lookups from several threads at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guest/guest_ops.h"
#include "util/handle_text.h"

static int get_handle(const char *path, union handle_buf *h)
{
	int mnt_id;

	h->fh.handle_bytes = MAX_HANDLE_SZ;
	return name_to_handle_at(AT_FDCWD, path, &h->fh, &mnt_id, 0) < 0 ? -errno : 0;
}

struct lookups {
	int argc;
	char **argv;
	const char *root;
	int err;
};

static void *lookup_all(void *arg)
{
	struct lookups *l = arg;
	char path[4096];
	struct stat st;

	for (int i = 0; i < l->argc; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->root, l->argv[i]);
		if (lstat(path, &st) < 0)
			__atomic_store_n(&l->err, -errno, __ATOMIC_RELAXED);
	}
	return NULL;
}

int op_guest(const char *root, const char *op, int argc, char **argv, struct strbuf *out)
{
	char path[4096];
	union handle_buf h;
	char text[HANDLE_TEXT_MAX];
	int r, fd;

	if (argc)
		snprintf(path, sizeof(path), "%s/%s", root, argv[0]);
	if (!strcmp(op, "handle") || !strcmp(op, "nodeid")) {
		r = get_handle(path, &h);
		if (r)
			return r;
		if (op[0] == 'n') {
			uint32_t w[2];

			/* fuse_encode_fh: nodeid high word, low word, generation */
			if (h.fh.handle_bytes < sizeof(w))
				return -EPROTO;
			memcpy(w, h.fh.f_handle, sizeof(w));
			strbuf_addf(out, "%llu", ((unsigned long long)w[0] << 32) | w[1]);
			return 0;
		}
		strbuf_addstr(out, handle_text_format(&h.fh, text, sizeof(text)));
		return 0;
	}
	if (!strcmp(op, "open-handle")) {
		char buf[4096];
		ssize_t n;
		int mfd;

		if (handle_text_parse(argv[0], &h))
			return -EINVAL;
		mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (mfd < 0)
			return -errno;
		fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? -errno : 0;
		close(mfd);
		if (r)
			return r;
		n = read(fd, buf, sizeof(buf) - 1);
		r = n < 0 ? (errno == EISDIR ? 0 : -errno) : 0;
		if (!r)
			strbuf_addf(out, "%.*s", n > 0 ? (int)n : 0, buf);
		close(fd);
		return r;
	}
	if (!strcmp(op, "kernel")) {
		/* The kernel the guest runs, as "6.12": what a scenario may say differs with it. */
		struct utsname u;
		unsigned major, minor;

		if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
			return -EPROTO;
		strbuf_addf(out, "%u.%u", major, minor);
		return 0;
	}
	if (!strcmp(op, "drop-caches")) {
		sync();
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = write(fd, "2", 1) == 1 ? 0 : -errno;
		close(fd);
		if (!r)
			strbuf_addf(out, "0");
		return r;
	}
	if (!strcmp(op, "lookup-threads")) {
		int n = atoi(argv[0]);
		pthread_t t[64];
		struct lookups l = { argc - 1, argv + 1, root, 0 };

		for (int i = 0; i < n; i++)
			if (pthread_create(&t[i], NULL, lookup_all, &l)) {
				n = i;
				l.err = -EAGAIN;
				break;
			}
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		if (l.err)
			return l.err;
		strbuf_addf(out, "ok");
		return 0;
	}
	return -ENOSYS;
}
