/*
 * hash_table: chained buckets, doubled when the load passes two entries
 * per bucket (chains stay short, and the bucket array costs 4 to 8 bytes
 * an entry). Growing rehashes each entry through the table's hash
 * function: links do not carry their hash.
 */
#include <errno.h>
#include <stdlib.h>

#include "util/hash_table.h"

#define INITIAL_BUCKETS 64

#define MAX_LOAD 2

int hash_table_init(struct hash_table *t, hash_link_fn hash)
{
	t->buckets = calloc(INITIAL_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->nbuckets = INITIAL_BUCKETS;
	t->count = 0;
	t->hash = hash;
	return 0;
}

void hash_table_release(struct hash_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->count = 0;
}

static int grow(struct hash_table *t)
{
	size_t n = t->nbuckets * 2;
	struct hash_link **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct hash_link *l = t->buckets[i], *next;

		for (; l; l = next) {
			uint64_t h = t->hash(l);

			next = l->next;
			l->next = b[h & (n - 1)];
			b[h & (n - 1)] = l;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	return 0;
}

int hash_table_insert(struct hash_table *t, struct hash_link *link, uint64_t hash)
{
	/* A failed grow only costs speed: the chains get longer. */
	if (t->count >= MAX_LOAD * t->nbuckets)
		grow(t);
	link->next = t->buckets[hash & (t->nbuckets - 1)];
	t->buckets[hash & (t->nbuckets - 1)] = link;
	t->count++;
	return 0;
}

struct hash_link *hash_table_find(const struct hash_table *t, uint64_t hash,
				  hash_match_fn match, const void *key)
{
	struct hash_link *l = t->buckets[hash & (t->nbuckets - 1)];

	for (; l; l = l->next)
		if (match(l, key))
			return l;
	return NULL;
}

bool hash_table_remove(struct hash_table *t, struct hash_link *link)
{
	struct hash_link **p = &t->buckets[t->hash(link) & (t->nbuckets - 1)];

	for (; *p; p = &(*p)->next)
		if (*p == link) {
			*p = link->next;
			link->next = NULL;
			t->count--;
			return true;
		}
	return false;
}

void hash_table_each(const struct hash_table *t,
		     void (*fn)(struct hash_link *link, void *arg), void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct hash_link *l = t->buckets[i], *next; l; l = next) {
			next = l->next; /* @fn may free the entry: a table's last walk */
			fn(l, arg);
		}
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
