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

/* The type (S_IFMT) of @name in @parent, or of @parent without a name; 0 when unknown. */
static mode_t host_type(const struct fuzz_oracle *o, unsigned long long parent, const char *name)
{
	int fd = oracle_node_open(o, oracle_node_find(o, parent), parent);
	struct stat st;
	mode_t type = 0;

	if (fd < 0)
		return 0;
	if (!fstatat(fd, name ? name : "", &st, AT_SYMLINK_NOFOLLOW | (name ? 0 : AT_EMPTY_PATH)))
		type = st.st_mode & S_IFMT;
	close(fd);
	return type;
}

static bool held_match(const struct hash_link *l, const void *key)
{
	const struct node *n = container_of(l, struct node, by_handle);

	return n->nlookup > 0 && oracle_same_handle(&n->h, key);
}

/* Whether the client holds a nodeid for the host file @name in @parent. */
static bool child_held(const struct fuzz_oracle *o, unsigned long long parent, const char *name)
{
	int fd = oracle_node_open(o, oracle_node_find(o, parent), parent), mnt, r;
	union handle_buf h;

	if (fd < 0)
		return false;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	r = name_to_handle_at(fd, name, &h.fh, &mnt, 0);
	close(fd);
	return !r && hash_table_find(&o->handles, oracle_handle_hash(&h), held_match, &h);
}

/*
 * A request under a parent that is no directory, an UNLINK of a directory
 * or an RMDIR of anything else: the kernel has the types from its lookups
 * and answers ENOTDIR or EISDIR itself (may_delete, lookup_open). And an
 * UNLINK, RMDIR or RENAME of a name it holds no nodeid for: it sends the
 * LOOKUP first.
 */
static bool type_refused(const struct fuzz_oracle *o, const char *op, int argc, char **argv)
{
	static const char *const under_parent[] = { "lookup", "mkdir", "create", "mknod", "symlink",
						    "unlink", "rmdir", "rename", "link", NULL };
	unsigned long long parent;
	int at = !strcmp(op, "link") ? 1 : 0;
	mode_t type;
	int k;

	for (k = 0; under_parent[k] && strcmp(under_parent[k], op); k++)
		;
	if (!under_parent[k] || argc < at + 2 || !oracle_number(argv[at], &parent))
		return false;
	type = host_type(o, parent, NULL);
	if (type && type != S_IFDIR)
		return true;
	if (!oracle_plain_name(argv[at + 1]))
		return false;
	type = host_type(o, parent, argv[at + 1]);
	if ((!strcmp(op, "unlink") || !strcmp(op, "rmdir") || !strcmp(op, "rename")) &&
	    !child_held(o, parent, argv[at + 1]))
		return true; /* the kernel looks the victim up first: a LOOKUP, or ENOENT, comes before */
	/* A rename's target too, when there is one: the kernel holds what it replaces. */
	if (!strcmp(op, "rename") && argc >= 4 && oracle_number(argv[2], &parent) && oracle_plain_name(argv[3]) &&
	    host_type(o, parent, argv[3]) && !child_held(o, parent, argv[3]))
		return true;
	return (!strcmp(op, "unlink") && type == S_IFDIR) ||
	       (!strcmp(op, "rmdir") && type && type != S_IFDIR);
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
