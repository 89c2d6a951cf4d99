/*
 * hash_table: an intrusive chained hash table. The caller embeds a struct
 * hash_link in its own struct and finds the struct again with container_of.
 *
 * A link is one pointer: the table does not keep the hashes (a cached
 * inode holds three links and must stay small), so it asks the table's
 * hash function for an entry's hash when it grows or removes.
 */
#ifndef VFS_HASH_TABLE_H
#define VFS_HASH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hash_link {
	struct hash_link *next;
};

/* Compares the entry holding @link with the key the caller looks for. */
typedef bool (*hash_match_fn)(const struct hash_link *link, const void *key);
/* The hash of the entry holding @link: the same as it was inserted with. */
typedef uint64_t (*hash_link_fn)(const struct hash_link *link);

struct hash_table {
	struct hash_link **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
	hash_link_fn hash;
};

int hash_table_init(struct hash_table *t, hash_link_fn hash);
void hash_table_release(struct hash_table *t);

/* Inserts @link under @hash; growing the table is best effort. 0. */
int hash_table_insert(struct hash_table *t, struct hash_link *link, uint64_t hash);
struct hash_link *hash_table_find(const struct hash_table *t, uint64_t hash,
				  hash_match_fn match, const void *key);
/* Removes @link; returns false if it was not in the table. */
bool hash_table_remove(struct hash_table *t, struct hash_link *link);

/*
 * Calls @fn on every link; @fn must not change the table, but may free the
 * entry it is given (a walk that frees them all before release).
 */
void hash_table_each(const struct hash_table *t,
		     void (*fn)(struct hash_link *link, void *arg), void *arg);

/* FNV-1a over bytes, mixed: good enough for keys of ids and handle bytes. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
