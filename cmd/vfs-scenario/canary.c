/* canary: see canary.h. The description is one line per file, sorted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "canary.h"
#include "ops.h"
#include "util/strvec.h"

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = -EIO;
	close(fd);
	return r;
}

/* An hour ago, so that relatime's next read moves the atime. */
static int age(const char *path)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= 3600;
	t[1] = t[0];
	return utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

int canary_make(const char *dir, struct strbuf *before)
{
	static const char *const dirs[] = { "canary", "canary/sub" };
	static const char *const files[][2] = { { "canary/file", "outside the share\n" },
						{ "canary/sub/deep", "further out\n" } };
	char p[4096];
	int r = 0;

	for (size_t i = 0; i < 2 && !r; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		r = mkdir(p, 0755) ? -errno : 0;
	}
	for (size_t i = 0; i < 2 && !r; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i][0]);
		r = put(p, files[i][1]);
	}
	/* Files first, then their directories: aging a file changes nothing above it. */
	for (size_t i = 0; i < 2 && !r; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i][0]);
		r = age(p);
	}
	for (size_t i = 2; i-- > 0 && !r;) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		r = age(p);
	}
	return r ? r : canary_describe(dir, before);
}

/*
 * One line for @name under @at (@rel its path in the tree), then its
 * entries if a directory. Everything is opened O_NOATIME: the walk itself
 * must not move the atimes it compares.
 */
static int walk(int at, const char *name, const char *rel, struct strvec *lines, int depth)
{
	char line[4096 + 512], content[64] = "", child[4096];
	struct stat st;
	int fd, r = 0;

	if (depth > 8 || fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return depth > 8 ? -ELOOP : -errno;
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(at, name, O_RDONLY | O_NOATIME | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	} else {
		fd = -1;
	}
	if (S_ISREG(st.st_mode)) {
		ssize_t n = read(fd, content, sizeof(content) - 1);

		content[n > 0 ? n : 0] = '\0';
		content[strcspn(content, "\n")] = '\0';
	}
	snprintf(line, sizeof(line), "%s mode=%o size=%lld atime=%lld.%09ld mtime=%lld.%09ld "
		 "ctime=%lld.%09ld \"%s\"", rel, st.st_mode, (long long)st.st_size,
		 (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, content);
	strvec_push(lines, line);
	if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		struct dirent *e;

		if (!d) {
			close(fd);
			return -errno;
		}
		while (!r && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", rel, e->d_name);
			r = walk(dirfd(d), e->d_name, child, lines, depth + 1);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	return r ? r : lines->failed ? -ENOMEM : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int canary_describe(const char *dir, struct strbuf *now)
{
	struct strvec v = STRVEC_INIT;
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (top < 0)
		return -errno;
	r = walk(top, "canary", "canary", &v, 0);
	close(top);
	if (!r) {
		qsort(v.v, v.nr, sizeof(v.v[0]), by_name);
		strbuf_reset(now);
		for (size_t i = 0; i < v.nr; i++)
			strbuf_addf(now, "%s\n", v.v[i]);
	}
	strvec_clear(&v);
	return r;
}

int canary_compare(const char *before, const char *now, struct strbuf *out)
{
	const char *a = before, *b = now;

	if (!strcmp(before, now)) {
		strbuf_addstr(out, "unchanged");
		return 0;
	}
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || strncmp(a, b, la)) {
			strbuf_addf(out, "changed: was \"%.*s\", now \"%.*s\"", (int)la, a, (int)lb, b);
			return 1;
		}
		a += la + !!a[la];
		b += lb + !!b[lb];
	}
	strbuf_addf(out, "changed: %s \"%.*s\"", *a ? "gone:" : "new:",
		    (int)strcspn(*a ? a : b, "\n"), *a ? a : b);
	return 1;
}

int op_canary(struct step_ctx *ctx, struct strbuf *out)
{
	struct strbuf now = STRBUF_INIT;
	int r;

	if (!ctx->canary_dir) {
		ops_refuse("canary check: no canary was made");
		return -EINVAL;
	}
	r = canary_describe(ctx->canary_dir, &now);
	if (!r)
		canary_compare(ctx->canary_before, now.buf, out);
	else
		strbuf_addf(out, "changed: the canary cannot be read (%s)", strerror(-r));
	strbuf_release(&now);
	return 0;
}
