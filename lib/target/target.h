/*
 * target: the servers vfskit judges, in one table: vfs-serve's designs and
 * its vhost-user back-end, libfuse's examples, the C and the Rust
 * virtiofsd, and a user's own command. A target is a base (a daemon) with
 * options chosen from its table: "virtiofsd-rs:prefer,chroot" is the Rust
 * virtiofsd with --inode-file-handles=prefer and --sandbox=chroot. Options
 * come in groups (one word of a group at a time); a group left unchosen
 * takes its default word, and every chosen or default word is passed to
 * the daemon explicitly, so a column means the same whatever the daemon's
 * own defaults are in its next release.
 *
 * Scenario headers name targets in fails-on and only as patterns: a base
 * matches every target of that base, "base:word" only those with that
 * word chosen (or defaulted).
 */
#ifndef VFS_TARGET_H
#define VFS_TARGET_H

#include <stdbool.h>
#include <stddef.h>

enum target_kind {
	TARGET_DESIGN,      /* vfs-serve in a design: a /dev/fuse mount; protocol over --fuse-fd */
	TARGET_FUSE_MOUNT,  /* a daemon that mounts over /dev/fuse: mount scenarios */
	TARGET_VHOST_USER,  /* a vhost-user back-end: protocol scenarios; mount ones in a VM */
	TARGET_FOREIGN,     /* the user's --server / --vhost-user command */
};

#define TARGET_OURS   1u  /* vfs-serve: its control socket, fault points and decision log */
#define TARGET_NOTIFY 2u  /* offers the notification queue */
/*
 * Its tree must not change under the mount (fuse-overlayfs: layers, as
 * the kernel's overlayfs documents): a scenario whose host steps change
 * the share is "by design" there, not run.
 */
#define TARGET_STATIC_TREE 4u

struct target_option {
	const char *word;   /* what a user writes after the ':' */
	const char *group;  /* one word of a group at a time */
	const char *args;   /* the daemon's options for it, blank-separated */
	bool dflt;          /* the group's word when none is chosen */
};

#define TARGET_MAX_OPTIONS 16

struct target_base {
	const char *name;
	const char *alias;           /* an older name still taken, or NULL */
	enum target_kind kind;
	unsigned flags;              /* TARGET_OURS, TARGET_NOTIFY */
	int design;                  /* TARGET_DESIGN and ours: enum design */
	struct target_option opts[TARGET_MAX_OPTIONS]; /* up to the first without a word */
	const char *about;           /* one line: what it is */
	const char *program;         /* a packaged daemon's path (Debian's), or NULL */
	const char *by_design;       /* TARGET_STATIC_TREE: why, with the project's word */
};

struct target {
	const struct target_base *base;
	unsigned opts;               /* bit i: base->opts[i] is in force */
	char name[96];               /* canonical: the base, then the words not by default */
	const char *guest_kernel;    /* a VM column: the guest kernel ("6.12"), named "T@6.12"; else NULL */
};

/* The table, in the order columns are shown. */
extern const struct target_base target_table[];
extern const int target_table_size;

/*
 * A target from "base[:word[,word...]]". 0, or -EINVAL with @why (in
 * @whybuf of @len bytes) saying what was wrong.
 */
int target_parse(const char *spec, struct target *t, char *whybuf, size_t len);
/*
 * "T[,T...]" into @out (room for @max): a piece after a comma that names
 * no target is a word of the target before it ("virtiofsd-rs:prefer,none").
 * The count, or -EINVAL with @why (or -E2BIG: more than @max).
 */
int target_list_parse(const char *list, struct target *out, int max, char *whybuf, size_t len);
/* A fails-on/only pattern: the same words, no defaults filled in. */
int target_pattern_parse(const char *spec, struct target *p, char *whybuf, size_t len);
/* Whether @t is one of the targets @p names. */
bool target_matches(const struct target *t, const struct target *p);
/* The foreign column ("server"). */
void target_foreign(struct target *t);

/* The option words in force for group @group of @t, or NULL. */
const char *target_option_in(const struct target *t, const char *group);
/* Whether @t has @flag. */
static inline bool target_is(const struct target *t, unsigned flag)
{
	return t->base->flags & flag;
}

/* Every base's name (and alias), blank-separated, for messages. */
const char *target_names(void);

#endif
