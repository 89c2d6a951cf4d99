/*
 * mountinfo: fields are "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..."; paths use
 * octal escapes (\040 for a space) that must be undone before open().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mountinfo.h"

static int unescape(const char *src, char *dst, size_t len)
{
	size_t o = 0;

	for (const char *p = src; *p; p++) {
		char c = *p;

		if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		}
		if (o + 1 >= len)
			return -ENAMETOOLONG;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

int mountinfo_dev_at(const char *point, const char *type, unsigned *major, unsigned *minor)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, path[4096], escaped[4096];
	size_t cap = 0;
	int err = -ENOENT;

	if (!f)
		return -errno;
	/* "36 35 0:52 / /mnt rw,... - fuse name rw,...": the last match is the one on top. */
	while (getline(&line, &cap, f) > 0) {
		const char *dash = strstr(line, " - ");
		unsigned maj, min;

		if (sscanf(line, "%*d %*d %u:%u %*s %4095s", &maj, &min, escaped) != 3 || !dash ||
		    strncmp(dash + 3, type, strlen(type)) || unescape(escaped, path, sizeof(path)) ||
		    strcmp(path, point))
			continue;
		*major = maj;
		*minor = min;
		err = 0;
	}
	free(line);
	fclose(f);
	return err;
}

int mountinfo_find(int dirfd, const char *mountinfo, int mnt_id, char *path, size_t len)
{
	int fd = openat(dirfd, mountinfo ? mountinfo : "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	if (!f) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (getline(&line, &cap, f) > 0) {
		char *save, *tok = strtok_r(line, " ", &save);
		int field = 0;

		if (!tok || atoi(tok) != mnt_id)
			continue;
		while (tok && field < 4) {
			tok = strtok_r(NULL, " ", &save);
			field++;
		}
		err = tok ? unescape(tok, path, len) : -ENOENT;
		break;
	}
	free(line);
	fclose(f);
	return err;
}
