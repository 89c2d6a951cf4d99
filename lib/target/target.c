/*
 * target: the table and the words. A target's name is canonical (default
 * words left out, chosen ones in table order), so the same column has the
 * same name however it was asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "target/target.h"

/*
 * libfuse's daemons take a /dev/fuse fd in place of a mountpoint: with
 * this word protocol scenarios reach them over one (target_argv.c), with
 * no kernel between; without it they run mount scenarios only.
 */
#define DEVFUSE_WORD { "devfuse", "transport", "", false }

const struct target_base target_table[] = {
	{ "ids-only", NULL, TARGET_DESIGN, TARGET_OURS, DESIGN_IDS_ONLY, { { 0 } },
	  "vfs-serve, keying inodes by (st_dev, st_ino, mnt_id) without an fd", NULL, NULL },
	{ "v3", NULL, TARGET_DESIGN, TARGET_OURS, DESIGN_V3, { { 0 } },
	  "vfs-serve, the v3 patch of the inodes_by_handle review", NULL, NULL },
	{ "fixed", NULL, TARGET_DESIGN, TARGET_OURS, DESIGN_FIXED,
	  { { "none", "sandbox", "--sandbox=none", true },
	    { "chroot", "sandbox", "--sandbox=chroot", false },
	    { "namespace", "sandbox", "--sandbox=namespace", false } },
	  "vfs-serve, lookup-only handles, one live inode per file", NULL, NULL },
	{ "passthrough_ll", NULL, TARGET_FUSE_MOUNT, 0, -1, { DEVFUSE_WORD },
	  "libfuse's low-level example (Debian 12's libfuse3-dev)", NULL, NULL },
	{ "passthrough", NULL, TARGET_FUSE_MOUNT, 0, -1, { DEVFUSE_WORD },
	  "libfuse's high-level example", NULL, NULL },
	{ "passthrough_fh", NULL, TARGET_FUSE_MOUNT, 0, -1, { DEVFUSE_WORD },
	  "libfuse's high-level example keeping file handles", NULL, NULL },
	/*
	 * The FUSE passthrough daemons Debian 12 packages, started as their
	 * manuals show (target_packaged.c has the full command lines and why).
	 * fuse-overlayfs links libfuse 3 and takes a /dev/fuse fd; the other
	 * three link libfuse 2.9 (mergerfs its own copy of it), which has no
	 * such way in, so they run mount scenarios only.
	 */
	{ "fuse-overlayfs", NULL, TARGET_FUSE_MOUNT, TARGET_STATIC_TREE, -1, { DEVFUSE_WORD },
	  "fuse-overlayfs 1.10 (Debian 12), podman's layout: the share is the upper layer",
	  "/usr/bin/fuse-overlayfs",
	  "fuse-overlayfs: its layers must not change under the mount (overlayfs.rst: "
	  "\"changes to the underlying filesystems while part of a mounted overlay filesystem "
	  "are not allowed\"; it caches the tree it loaded: containers/fuse-overlayfs#275, "
	  "#320)" },
	{ "mergerfs", NULL, TARGET_FUSE_MOUNT, 0, -1,
	  { { "hybrid-hash", "inodecalc", "-o inodecalc=hybrid-hash", true },
	    { "path-hash", "inodecalc", "-o inodecalc=path-hash", false },
	    { "devino-hash", "inodecalc", "-o inodecalc=devino-hash", false },
	    { "passthrough", "inodecalc", "-o inodecalc=passthrough", false },
	    { "use_ino", "ino", "-o use_ino", true },
	    { "no-use-ino", "ino", "", false } },
	  "mergerfs 2.33.5 (Debian 12), one branch", "/usr/bin/mergerfs", NULL },
	{ "bindfs", NULL, TARGET_FUSE_MOUNT, 0, -1, { { 0 } },
	  "bindfs 1.14.7 (Debian 12)", "/usr/bin/bindfs", NULL },
	{ "unionfs-fuse", "unionfs", TARGET_FUSE_MOUNT, 0, -1,
	  { { "use_ino", "ino", "-o use_ino", true },
	    { "no-use-ino", "ino", "", false } },
	  "unionfs-fuse 1.0 (Debian 12), one RW branch, copy-on-write", "/usr/bin/unionfs", NULL },
	{ "virtiofsd-c", "virtiofsd", TARGET_VHOST_USER, 0, -1,
	  { { "namespace", "sandbox", "-o sandbox=namespace", true },
	    { "chroot", "sandbox", "-o sandbox=chroot", false },
	    { "xattr", "xattr", "-o xattr", false } },
	  "the C virtiofsd of Debian 12's QEMU", NULL, NULL },
	/* 1.14 makes prefer the default: pinning never keeps the column's meaning. */
	{ "virtiofsd-rs", NULL, TARGET_VHOST_USER, 0, -1,
	  { { "never", "handles", "--inode-file-handles=never", true },
	    { "prefer", "handles", "--inode-file-handles=prefer", false },
	    { "mandatory", "handles", "--inode-file-handles=mandatory", false },
	    { "namespace", "sandbox", "--sandbox=namespace", true },
	    { "chroot", "sandbox", "--sandbox=chroot", false },
	    { "none", "sandbox", "--sandbox=none", false },
	    { "xattr", "xattr", "--xattr", false },
	    /* how device state names inodes to the destination (daemon save/load) */
	    { "find-paths", "migration", "--migration-mode=find-paths", true },
	    /* its README: the destination needs CAP_DAC_READ_SEARCH, kept by --modcaps */
	    { "file-handles", "migration", "--migration-mode=file-handles --modcaps=+dac_read_search",
	      false },
	    { "no-verify", "verify", "", true },
	    { "verify-handles", "verify", "--migration-verify-handles", false },
	    { "confirm-paths", "confirm", "--migration-confirm-paths", false } },
	  "the Rust virtiofsd (Debian 13's, or --virtiofsd-rs=PATH)", NULL, NULL },
	{ "fixed-vhost", NULL, TARGET_VHOST_USER, TARGET_OURS | TARGET_NOTIFY, DESIGN_FIXED,
	  { { "namespace", "sandbox", "--sandbox=namespace", true },
	    { "chroot", "sandbox", "--sandbox=chroot", false },
	    { "none", "sandbox", "--sandbox=none", false } },
	  "vfs-serve --vhost-user, fixed design", NULL, NULL },
};
const int target_table_size = (int)(sizeof(target_table) / sizeof(target_table[0]));

static const struct target_base foreign = { "server", NULL, TARGET_FOREIGN, 0, -1, { { 0 } },
					    "the --server or --vhost-user command", NULL, NULL };

static int why(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *target_names(void)
{
	static char names[1024];
	size_t at = 0;

	if (names[0])
		return names;
	for (int i = 0; i < target_table_size && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s%s%s%s", i ? ", " : "",
				       target_table[i].name, target_table[i].alias ? " (or " : "",
				       target_table[i].alias ? target_table[i].alias : "",
				       target_table[i].alias ? ")" : "");
	return names;
}

static const struct target_base *base_named(const char *name, size_t len)
{
	for (int i = 0; i < target_table_size; i++) {
		const struct target_base *b = &target_table[i];

		if ((strlen(b->name) == len && !strncmp(b->name, name, len)) ||
		    (b->alias && strlen(b->alias) == len && !strncmp(b->alias, name, len)))
			return b;
	}
	return NULL;
}

static int option_index(const struct target_base *b, const char *word, size_t len)
{
	for (int i = 0; i < TARGET_MAX_OPTIONS && b->opts[i].word; i++)
		if (strlen(b->opts[i].word) == len && !strncmp(b->opts[i].word, word, len))
			return i;
	return -1;
}

/* The words @b takes, for a message. */
static void option_words(const struct target_base *b, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = 0; i < TARGET_MAX_OPTIONS && b->opts[i].word && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? ", " : "", b->opts[i].word);
}

static int parse(const char *spec, struct target *t, bool defaults, char *whybuf, size_t len)
{
	const char *colon = strchr(spec, ':'), *w;
	size_t blen = colon ? (size_t)(colon - spec) : strlen(spec);
	const struct target_base *b = base_named(spec, blen);
	unsigned chosen = 0;

	memset(t, 0, sizeof(*t));
	if (!b)
		return why(whybuf, len, "unknown target '%.*s' (%s)", (int)blen, spec, target_names());
	for (w = colon ? colon + 1 : NULL; w; w = strchr(w, ',') ? strchr(w, ',') + 1 : NULL) {
		size_t wlen = strcspn(w, ",");
		int k = option_index(b, w, wlen);
		char words[256];

		if (k < 0) {
			option_words(b, words, sizeof(words));
			return why(whybuf, len, "target %s has no option '%.*s'%s%s%s", b->name,
				   (int)wlen, w, words[0] ? " (" : "", words, words[0] ? ")" : "");
		}
		for (int j = 0; j < TARGET_MAX_OPTIONS && b->opts[j].word; j++)
			if ((chosen & (1u << j)) && !strcmp(b->opts[j].group, b->opts[k].group))
				return why(whybuf, len, "target %s: '%s' and '%.*s' are both %s", b->name,
					   b->opts[j].word, (int)wlen, w, b->opts[k].group);
		chosen |= 1u << k;
	}
	t->base = b;
	t->opts = chosen;
	for (int j = 0; defaults && j < TARGET_MAX_OPTIONS && b->opts[j].word; j++)
		if (b->opts[j].dflt && !target_option_in(t, b->opts[j].group))
			t->opts |= 1u << j;
	/* The canonical name: chosen words that are not the default, in table order. */
	snprintf(t->name, sizeof(t->name), "%s", b->name);
	for (int j = 0, n = 0; j < TARGET_MAX_OPTIONS && b->opts[j].word; j++)
		if ((chosen & (1u << j)) && (!b->opts[j].dflt || !defaults)) {
			size_t at = strlen(t->name);

			snprintf(t->name + at, sizeof(t->name) - at, "%c%s", n++ ? ',' : ':',
				 b->opts[j].word);
		}
	return 0;
}

int target_parse(const char *spec, struct target *t, char *whybuf, size_t len)
{
	return parse(spec, t, true, whybuf, len);
}

int target_list_parse(const char *list, struct target *out, int max, char *whybuf, size_t len)
{
	char *copy = strdup(list), *save, *tok, spec[512] = "";
	int n = 0;

	if (!copy)
		return why(whybuf, len, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct target probe;
		bool word = n && strchr(spec, ':') && target_parse(tok, &probe, whybuf, len);

		if (word && strlen(spec) + strlen(tok) + 2 < sizeof(spec)) {
			strcat(strcat(spec, ","), tok);
			n--; /* parsed again, with the word */
		} else if (n == max) {
			snprintf(whybuf, len, "at most %d targets", max);
			free(copy);
			return -E2BIG;
		} else {
			snprintf(spec, sizeof(spec), "%s", tok);
		}
		if (target_parse(spec, &out[n], whybuf, len)) {
			free(copy);
			return -EINVAL;
		}
		n++;
	}
	free(copy);
	return n ? n : why(whybuf, len, "no target in '%s'", list);
}

int target_pattern_parse(const char *spec, struct target *p, char *whybuf, size_t len)
{
	return parse(spec, p, false, whybuf, len);
}

bool target_matches(const struct target *t, const struct target *p)
{
	return t->base == p->base && !(p->opts & ~t->opts);
}

void target_foreign(struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->base = &foreign;
	snprintf(t->name, sizeof(t->name), "%s", foreign.name);
}

const char *target_option_in(const struct target *t, const char *group)
{
	for (int j = 0; j < TARGET_MAX_OPTIONS && t->base->opts[j].word; j++)
		if ((t->opts & (1u << j)) && !strcmp(t->base->opts[j].group, group))
			return t->base->opts[j].word;
	return NULL;
}
