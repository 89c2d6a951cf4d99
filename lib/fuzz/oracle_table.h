/*
 * oracle_table: the oracle's table of nodeids, shared by fuzz_oracle.c
 * (the verdicts) and kernel_refuses.c (what a kernel would not send),
 * and nothing else: not a public interface.
 */
#ifndef VFS_FUZZ_ORACLE_TABLE_H
#define VFS_FUZZ_ORACLE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz/fuzz_oracle.h"
#include "util/handle_text.h"
#include "util/hash_table.h"

struct node {
	struct hash_link by_nodeid;
	struct hash_link by_handle; /* only while live and with a handle */
	unsigned long long nodeid, generation, nlookup;
	bool has_handle, in_handles;
	int mnt;                    /* the mount the handle is of */
	union handle_buf h;
};

struct fuzz_oracle {
	int root_fd;           /* the source: nodeid 1, and the mount fd for handles */
	int root_mnt;          /* its mount id, as name_to_handle_at gives it */
	unsigned exceptions;
	struct hash_table nodes, handles;
	struct {
		char *site, *text;
	} verdict[ORACLE_COUNT];
	int nverdicts;
};

/* The node of @nodeid, or NULL. */
struct node *oracle_node_find(const struct fuzz_oracle *o, unsigned long long nodeid);
/* An fd on the host file @n named (O_PATH), or -errno (-ESTALE: it is gone). */
int oracle_node_open(const struct fuzz_oracle *o, const struct node *n, unsigned long long nodeid);
/* Whether @s is a name a kernel sends: not empty, ".", "..", nor with a '/'. */
bool oracle_plain_name(const char *s);
/* @w as a whole decimal number. */
bool oracle_number(const char *w, unsigned long long *v);
uint64_t oracle_handle_hash(const union handle_buf *h);
bool oracle_same_handle(const union handle_buf *a, const union handle_buf *b);

#endif
