/*
 * paths: the binary's own location is the anchor (/proc/self/exe), so a
 * build tree and a staged or relocated installation both find their
 * files; the compiled-in DATADIR comes last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/target_locate.h"

#ifndef VFSKIT_DATADIR
#error "VFSKIT_DATADIR is set by the Makefile (DATADIR)"
#endif

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int data_dir_find(const char *what, char *out, size_t len, struct strbuf *looked)
{
	char exe[PATH_MAX], cand[3][PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *dir;

	exe[n > 0 ? n : 0] = '\0';
	dir = dirname(exe);
	snprintf(cand[0], sizeof(cand[0]), "%s/../../%s", dir, what);
	snprintf(cand[1], sizeof(cand[1]), "%s/../share/vfskit/%s", dir, what);
	snprintf(cand[2], sizeof(cand[2]), "%s/vfskit/%s", VFSKIT_DATADIR, what);
	for (int i = 0; i < 3; i++) {
		char real[PATH_MAX];

		if (is_dir(cand[i]) && realpath(cand[i], real)) {
			snprintf(out, len, "%s", real);
			return 0;
		}
		strbuf_addf(looked, "%s%s", i ? " " : "", cand[i]);
	}
	return -ENOENT;
}

void target_locate(struct target_locations *l, struct target_paths *p)
{
	char exe[PATH_MAX], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	dir = dirname(exe);
	snprintf(l->serve, sizeof(l->serve), "%s/vfs-serve", dir);
	snprintf(l->inject, sizeof(l->inject), "%s/vfs-inject", dir);
	snprintf(l->examples, sizeof(l->examples), "%s/../bench", dir);
	/* build/guest whatever the build tree: the image is not instrumented. */
	snprintf(l->guest_image, sizeof(l->guest_image), "%s/../../build/guest", dir);
	/* The fetched Rust virtiofsd, likewise; a native install otherwise. */
	snprintf(l->virtiofsd_rs, sizeof(l->virtiofsd_rs), "%s/../../build/virtiofsd-rs/virtiofsd",
		 dir);
	if (access(l->virtiofsd_rs, X_OK) < 0)
		snprintf(l->virtiofsd_rs, sizeof(l->virtiofsd_rs), "%s", VIRTIOFSD_RS_NATIVE);
	*p = (struct target_paths){ .serve = l->serve, .inject = l->inject,
				    .examples = l->examples, .virtiofsd_c = VIRTIOFSD_DEFAULT,
				    .virtiofsd_rs = l->virtiofsd_rs };
}
