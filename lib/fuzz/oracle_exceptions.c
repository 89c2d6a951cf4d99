/*
 * oracle_exceptions: where a target's documented design differs from what
 * an oracle holds every server to, in one place. Each row says why.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fuzz/fuzz_oracle.h"
#include "fuzz/oracle_exceptions.h"

static const struct oracle_exception table[] = {
	/*
	 * libfuse's high-level API keeps a node per (parent, name): two names
	 * of one file (a hard link, a host rename seen by its new name) are
	 * two nodes (fuse.h: "use_ino" only sets st_ino; FINDINGS.md 5). A
	 * file unlinked while open is renamed .fuse_hiddenN and its nlink
	 * shown one less, 0, on purpose (lib/fuse.c, unless hard_remove).
	 */
	{ "passthrough", ORACLE_EXCEPT_PER_NAME_NODES | ORACLE_EXCEPT_HIDDEN_NLINK },
	{ "passthrough_fh", ORACLE_EXCEPT_PER_NAME_NODES | ORACLE_EXCEPT_HIDDEN_NLINK },
	/*
	 * fuse-overlayfs: the share is its upper layer, where a removed name
	 * may be a whiteout (a 0:0 character device: overlayfs.rst), and a
	 * file removed while in use is kept in the workdir (hide_node), so
	 * its host nlink counts a link the merged view does not show.
	 */
	{ "fuse-overlayfs", ORACLE_EXCEPT_WHITEOUTS | ORACLE_EXCEPT_HIDDEN_NLINK },
};

unsigned oracle_exceptions_of(const struct target *t)
{
	unsigned e = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (t->base && !strcmp(t->base->name, table[i].base))
			e |= table[i].except;
	return e;
}

const struct oracle_exception *oracle_exceptions_table(int *n)
{
	*n = (int)(sizeof(table) / sizeof(table[0]));
	return table;
}
