/*
 * inode_store: the maps, FUSE lookup counting, retirement of forgotten
 * handle inodes with its bound, and invariants after random sequences.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/inode_store.h"
#include "../unit.h"

static int dropped;

static void count_drop(struct inode *inode, void *arg)
{
	(void)arg;
	(void)inode;
	dropped++;
}

static struct vfs_handle *fake_handle(int mnt_id, uint32_t n)
{
	struct vfs_handle *h = malloc(sizeof(*h) + 8);

	h->mnt_id = mnt_id;
	h->type = 1;
	h->bytes = 8;
	memcpy(h->data, &n, 4);
	memcpy(h->data + 4, "gen!", 4);
	return h;
}

/* Adds an inode for host inode @ino, with a handle if @handle. */
static struct inode *add(struct inode_store *s, uint64_t ino, bool handle, bool ids)
{
	struct inode *i = inode_new(s);

	i->dev = 7;
	i->ino = ino;
	i->mnt_id = 3;
	i->nlookup = 1;
	if (handle)
		i->handle = fake_handle(3, (uint32_t)ino);
	inode_store_lock(s);
	inode_store_add_locked(s, i, ids);
	inode_store_unlock(s);
	return i;
}

static struct inode_store store;

/* The first inode of a store is the root, nodeid 1, as in passthrough_init. */
static void init_store(struct inode_store *s, bool keep, size_t max)
{
	ck_assert_int_eq(inode_store_init(s, 77, keep, max, count_drop, NULL), 0);
	ck_assert_uint_eq(add(s, 2, false, true)->nodeid, ROOT_NODEID);
	dropped = 0;
}

static void setup(void)
{
	init_store(&store, true, 2);
}

static void teardown(void)
{
	inode_store_release(&store);
}

START_TEST(maps_find_what_was_added)
{
	struct inode *a = add(&store, 10, true, false), *b = add(&store, 11, false, true);
	struct vfs_handle *h = fake_handle(3, 10), *other = fake_handle(4, 10);

	ck_assert_uint_ne(a->nodeid, b->nodeid);
	inode_store_lock(&store);
	ck_assert_ptr_eq(inode_store_find_nodeid_locked(&store, a->nodeid), a);
	ck_assert_ptr_eq(inode_store_find_handle_locked(&store, h), a);
	ck_assert_ptr_null(inode_store_find_handle_locked(&store, other)); /* other mount */
	ck_assert_ptr_eq(inode_store_find_ids_locked(&store, 7, 11, 3), b);
	ck_assert_ptr_null(inode_store_find_ids_locked(&store, 7, 10, 3)); /* not in by-ids */
	ck_assert_ptr_null(inode_store_find_ids_locked(&store, 7, 11, 4));
	inode_store_unlock(&store);
	ck_assert_uint_eq(inode_generation(&store, a), 77);
	free(h);
	free(other);
}
END_TEST

START_TEST(unknown_and_forged_nodeids)
{
	add(&store, 10, false, true);
	ck_assert_ptr_null(inode_store_get(&store, 0));
	ck_assert_ptr_null(inode_store_get(&store, 12345));
	ck_assert_ptr_null(inode_store_get(&store, UINT64_MAX));
	ck_assert_int_eq(inode_store_forget(&store, 12345, 1), -ESTALE);
}
END_TEST

START_TEST(forget_counts_lookups)
{
	struct inode *a = add(&store, 10, false, true);
	uint64_t id = a->nodeid;

	inode_store_lock(&store);
	inode_store_ref_lookup_locked(&store, a);
	inode_store_ref_lookup_locked(&store, a);
	inode_store_unlock(&store);
	ck_assert_int_eq(inode_store_forget(&store, id, 2), 0);
	ck_assert_ptr_eq(inode_store_get(&store, id), a);
	inode_store_put(&store, a);
	/* More than it has is clamped, and the inode goes: it has no handle. */
	ck_assert_int_eq(inode_store_forget(&store, id, 5), 0);
	ck_assert_ptr_null(inode_store_get(&store, id));
	ck_assert_int_eq(dropped, 1);
	ck_assert_int_eq(inode_store_forget(&store, id, 1), -ESTALE);
}
END_TEST

START_TEST(in_use_inode_outlives_its_forget)
{
	struct inode *a = add(&store, 10, false, true);
	uint64_t id = a->nodeid;

	ck_assert_ptr_eq(inode_store_get(&store, id), a);
	ck_assert_int_eq(inode_store_forget(&store, id, 1), 0);
	ck_assert_int_eq(dropped, 0); /* a request still uses it */
	inode_store_put(&store, a);
	ck_assert_int_eq(dropped, 1);
}
END_TEST

START_TEST(forgotten_handle_inode_is_retired_then_revived)
{
	struct inode *a = add(&store, 10, true, true);
	struct vfs_handle *h = fake_handle(3, 10);
	uint64_t id = a->nodeid;

	ck_assert_int_eq(inode_store_forget(&store, id, 1), 0);
	ck_assert(a->retired);
	ck_assert(!a->in_ids); /* its inode number may be reused now */
	ck_assert_int_eq(dropped, 1);
	ck_assert_ptr_null(inode_store_get(&store, id)); /* not for requests */
	inode_store_lock(&store);
	ck_assert_ptr_eq(inode_store_find_handle_locked(&store, h), a);
	ck_assert_ptr_null(inode_store_find_ids_locked(&store, 7, 10, 3));
	inode_store_ref_lookup_locked(&store, a);
	inode_store_unlock(&store);
	ck_assert(!a->retired);
	ck_assert_uint_eq(a->nodeid, id); /* same nodeid again */
	ck_assert_ptr_eq(inode_store_get(&store, id), a);
	inode_store_put(&store, a);
	free(h);
}
END_TEST

START_TEST(retired_inodes_are_bounded_oldest_first)
{
	struct inode *i[4];
	uint64_t id[4];

	for (int k = 0; k < 4; k++) {
		i[k] = add(&store, 20 + (uint64_t)k, true, false);
		id[k] = i[k]->nodeid;
	}
	for (int k = 0; k < 4; k++)
		inode_store_forget(&store, id[k], 1);
	inode_store_lock(&store);
	ck_assert_uint_eq(store.nretired, 2); /* retired_max */
	ck_assert_ptr_null(inode_store_find_nodeid_locked(&store, id[0]));
	ck_assert_ptr_null(inode_store_find_nodeid_locked(&store, id[1]));
	ck_assert_ptr_nonnull(inode_store_find_nodeid_locked(&store, id[2]));
	ck_assert_ptr_nonnull(inode_store_find_nodeid_locked(&store, id[3]));
	ck_assert_uint_eq(store.handles.count, 2);
	inode_store_unlock(&store);
}
END_TEST

START_TEST(without_retirement_forgotten_inodes_go)
{
	struct inode_store s;
	struct inode *a;

	inode_store_release(&store);
	init_store(&s, false, 100);
	a = add(&s, 10, true, true);
	inode_store_forget(&s, a->nodeid, 1);
	ck_assert_uint_eq(s.handles.count, 0);
	ck_assert_uint_eq(s.nodeids.count, 1); /* the root */
	ck_assert_uint_eq(s.ids.count, 1);
	inode_store_release(&s);
	init_store(&store, true, 2);
}
END_TEST

/* Random lookups and forgets; the maps must always agree with the inodes. */
START_TEST(invariants_after_random_sequences)
{
	struct inode_store s;
	struct inode *live[64] = { 0 };
	unsigned seed = 12345;

	inode_store_release(&store);
	init_store(&s, true, 16);
	for (int step = 0; step < 20000; step++) {
		int k = rand_r(&seed) % 64;
		struct vfs_handle *h = fake_handle(3, (uint32_t)k);
		struct inode *i;

		inode_store_lock(&s);
		i = inode_store_find_handle_locked(&s, h);
		if (rand_r(&seed) % 2) {
			/* a lookup of file k: find (maybe revive) or create */
			if (i) {
				inode_store_ref_lookup_locked(&s, i);
				free(h);
			} else {
				i = inode_new(&s);
				i->ino = (uint64_t)k;
				i->mnt_id = 3;
				i->nlookup = 1;
				i->handle = h;
				inode_store_add_locked(&s, i, false);
			}
			live[k] = i;
			inode_store_unlock(&s);
		} else {
			free(h);
			inode_store_unlock(&s);
			if (live[k] && !live[k]->retired) {
				inode_store_forget(&s, live[k]->nodeid,
						   1 + (uint64_t)(rand_r(&seed) % 3));
				if (!live[k]->nlookup)
					live[k] = NULL;
			}
		}
		if (step % 1000 == 0) {
			size_t nlive = 0, nret = 0, nh = 0;

			inode_store_lock(&s);
			for (size_t b = 0; b < s.nodeids.nbuckets; b++)
				for (struct hash_link *l = s.nodeids.buckets[b]; l; l = l->next) {
					struct inode *x = container_of(l, struct inode, by_nodeid);

					nh += x->handle != NULL;
					if (x->nodeid == ROOT_NODEID) {
						nlive++;
						continue;
					}
					if (x->retired) {
						nret++;
						ck_assert_uint_eq(x->nlookup, 0);
					} else {
						nlive++;
						ck_assert_uint_gt(x->nlookup, 0);
					}
					ck_assert_ptr_eq(inode_store_find_handle_locked(&s, x->handle), x);
				}
			ck_assert_uint_eq(nlive, s.nlive);
			ck_assert_uint_eq(nret, s.nretired);
			ck_assert_uint_le(nret, 16);
			ck_assert_uint_eq(nh, s.handles.count);
			inode_store_unlock(&s);
		}
	}
	inode_store_release(&s);
	init_store(&store, true, 2);
}
END_TEST

Suite *inode_store_suite(void)
{
	Suite *s = suite_create("inode_store");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, maps_find_what_was_added);
	tcase_add_test(tc, unknown_and_forged_nodeids);
	tcase_add_test(tc, forget_counts_lookups);
	tcase_add_test(tc, in_use_inode_outlives_its_forget);
	tcase_add_test(tc, forgotten_handle_inode_is_retired_then_revived);
	tcase_add_test(tc, retired_inodes_are_bounded_oldest_first);
	tcase_add_test(tc, without_retirement_forgotten_inodes_go);
	tcase_add_test(tc, invariants_after_random_sequences);
	suite_add_tcase(s, tc);
	return s;
}
