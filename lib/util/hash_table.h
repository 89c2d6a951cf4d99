/*
 * hash_table: an intrusive chained hash table.
 *
 * The inode store keeps each inode in up to three maps at once; embedding
 * the links in the inode costs 16 bytes a map and no allocation per insert,
 * which is what keeps a cached inode under the RSS budget.
 */
#ifndef VFS_HASH_TABLE_H
#define VFS_HASH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hash_link {
	struct hash_link *next;
	uint64_t hash;
};

/* Compares the entry holding @link with the key the caller looks for. */
typedef bool (*hash_match_fn)(const struct hash_link *link, const void *key);

struct hash_table {
	struct hash_link **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
};

int hash_table_init(struct hash_table *t);
void hash_table_release(struct hash_table *t);

/* Inserts @link with @hash; grows the table, which may fail with -ENOMEM. */
int hash_table_insert(struct hash_table *t, struct hash_link *link, uint64_t hash);
struct hash_link *hash_table_find(const struct hash_table *t, uint64_t hash,
				  hash_match_fn match, const void *key);
/* Removes @link; returns false if it was not in the table. */
bool hash_table_remove(struct hash_table *t, struct hash_link *link);

/* Calls @fn on every link; @fn must not change the table. */
void hash_table_each(const struct hash_table *t,
		     void (*fn)(struct hash_link *link, void *arg), void *arg);

/* FNV-1a over bytes, mixed: good enough for keys of ids and handle bytes. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
