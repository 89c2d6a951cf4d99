/*
 * kernel_refuses: what a kernel would answer itself, before a server hears
 * of it, judged on the host just before the request: a faithful run
 * (vfs-fuzz --faithful) does not send it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz_oracle.h"
#include "fuzz/oracle_table.h"

/* The host path of what @nodeid names, into @buf; 0 or -errno. */
static int host_path_of(const struct fuzz_oracle *o, unsigned long long nodeid, char *buf,
			size_t len)
{
	char link[64];
	ssize_t n;
	int fd = oracle_node_open(o, oracle_node_find(o, nodeid), nodeid);

	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Whether path @a is @b or below it. */
static bool at_or_below(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && (!a[n] || a[n] == '/');
}

/* The type (S_IFMT) of @name in @dirfd, or of @dirfd itself without a name; 0 when unknown. */
static mode_t type_at(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name ? name : "", &st, AT_SYMLINK_NOFOLLOW | (name ? 0 : AT_EMPTY_PATH)))
		return 0;
	return st.st_mode & S_IFMT;
}

static bool held_match(const struct hash_link *l, const void *key)
{
	const struct node *n = container_of(l, struct node, by_handle);

	return n->nlookup > 0 && oracle_same_handle(&n->h, key);
}

/* Whether the client holds a nodeid for the host file @name in @dirfd. */
static bool held_at(const struct fuzz_oracle *o, int dirfd, const char *name)
{
	union handle_buf h;
	int mnt;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	return !name_to_handle_at(dirfd, name, &h.fh, &mnt, 0) &&
	       hash_table_find(&o->handles, oracle_handle_hash(&h), held_match, &h);
}

/*
 * Whether a kernel refuses @op on @name in @parent itself: @parent is no
 * directory (ENOTDIR); @removes (UNLINK, RMDIR, a RENAME's source) and the
 * client holds no nodeid for @name, so a LOOKUP (or ENOENT) comes first;
 * an UNLINK of a directory (EISDIR) or an RMDIR of anything else (ENOTDIR).
 */
static bool name_refused(const struct fuzz_oracle *o, const char *op, unsigned long long parent,
			 const char *name, bool removes)
{
	int fd = oracle_node_open(o, oracle_node_find(o, parent), parent);
	mode_t dir, type;
	bool refused;

	if (fd < 0)
		return false;
	dir = type_at(fd, NULL);
	if (dir && dir != S_IFDIR) {
		refused = true;
	} else if (!oracle_plain_name(name)) {
		refused = false;
	} else {
		type = type_at(fd, name);
		refused = (removes && !held_at(o, fd, name)) ||
			  (!strcmp(op, "unlink") && type == S_IFDIR) ||
			  (!strcmp(op, "rmdir") && type && type != S_IFDIR);
	}
	close(fd);
	return refused;
}

/* Whether a RENAME's target @name in @parent exists on the host with no nodeid held for it. */
static bool target_unheld(const struct fuzz_oracle *o, unsigned long long parent, const char *name)
{
	int fd = oracle_node_open(o, oracle_node_find(o, parent), parent);
	bool unheld;

	if (fd < 0)
		return false;
	unheld = oracle_plain_name(name) && type_at(fd, name) && !held_at(o, fd, name);
	close(fd);
	return unheld;
}

/*
 * What the kernel's own type and lookup checks stop (name_refused), for
 * every request that names an entry of a directory; a RENAME's target is
 * held too when there is one: the kernel holds what it replaces.
 */
static bool type_refused(const struct fuzz_oracle *o, const char *op, int argc, char **argv)
{
	static const char *const under_parent[] = { "lookup", "mkdir", "create", "mknod", "symlink",
						    "unlink", "rmdir", "rename", "link", NULL };
	bool removes = !strcmp(op, "unlink") || !strcmp(op, "rmdir") || !strcmp(op, "rename");
	unsigned long long parent;
	int at = !strcmp(op, "link") ? 1 : 0;
	int k;

	for (k = 0; under_parent[k] && strcmp(under_parent[k], op); k++)
		;
	if (!under_parent[k] || argc < at + 2 || !oracle_number(argv[at], &parent))
		return false;
	if (name_refused(o, op, parent, argv[at + 1], removes))
		return true;
	return !strcmp(op, "rename") && argc >= 4 && oracle_number(argv[2], &parent) &&
	       target_unheld(o, parent, argv[3]);
}

bool fuzz_oracle_kernel_refuses(const struct fuzz_oracle *o, const char *op, int argc,
				char **argv)
{
	unsigned long long p1, p2;
	char from[4096], to[4096];
	struct stat st;
	size_t n;
	int fd;

	if (type_refused(o, op, argc, argv))
		return true;
	if (strcmp(op, "rename") || argc < 4 || !oracle_number(argv[0], &p1) || !oracle_number(argv[2], &p2))
		return false;
	if (!oracle_plain_name(argv[1]) || !oracle_plain_name(argv[3]))
		return true;
	if (host_path_of(o, p1, from, sizeof(from) - 256) ||
	    host_path_of(o, p2, to, sizeof(to) - 256))
		return true; /* a parent the kernel could not have */
	fd = oracle_node_open(o, oracle_node_find(o, p1), p1);
	if (fd < 0 || fstatat(fd, argv[1], &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (fd >= 0)
			close(fd);
		return true; /* the kernel looks the source up first: ENOENT */
	}
	close(fd);
	n = strlen(from);
	snprintf(from + n, sizeof(from) - n, "/%s", argv[1]);
	n = strlen(to);
	snprintf(to + n, sizeof(to) - n, "/%s", argv[3]);
	/* lock_rename(): a source above the target is EINVAL, a target above the source ENOTEMPTY. */
	return at_or_below(to, from) || at_or_below(from, to);
}
