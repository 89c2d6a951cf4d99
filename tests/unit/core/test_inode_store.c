/*
 * inode_store: the maps, FUSE lookup counting, retirement of forgotten
 * handle inodes with its bound, resources given back only after the lock
 * is dropped, and the store's own invariant check, which must catch a
 * broken map (the one test here that reaches into the store's private
 * structs, to break it on purpose).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/inode_store_private.h"
#include "../unit.h"

static struct inode_store *store;
static int closed, mount_puts;
static bool lock_was_free = true;

/* The hooks run after the store drops its lock: trylock proves it. */
static void count_close(int fd, void *arg)
{
	(void)arg;
	(void)fd;
	if (pthread_mutex_trylock(&store->lock) == 0)
		pthread_mutex_unlock(&store->lock);
	else
		lock_was_free = false;
	closed++;
}

static void count_mount_put(struct mount_ref *ref, void *arg)
{
	(void)arg;
	(void)ref;
	mount_puts++;
}

static const struct inode_store_hooks hooks = { count_close, count_mount_put, NULL };

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

/*
 * Adds an inode for host inode @ino: with a handle (and a mount ref) if
 * @handle, else with a fake fd (the hooks only count it); in by-ids if @ids.
 */
static struct inode *add(struct inode_store *s, uint64_t ino, bool handle, bool ids)
{
	struct inode_new n = { .dev = 7, .ino = ino, .mnt_id = 3, .type = 0100000,
			       .fd = handle ? -1 : 1000 + (int)ino,
			       .mount = handle ? (struct mount_ref){ 3, 99 } : MOUNT_REF_NONE,
			       .in_ids = ids };
	struct inode *i;

	n.h = handle ? fake_handle(3, (uint32_t)ino) : NULL;
	inode_store_lock(s);
	i = inode_store_create_locked(s, &n);
	inode_store_unlock(s);
	ck_assert_ptr_nonnull(i);
	ck_assert_ptr_null(n.h); /* taken */
	return i;
}

/* The store's count of live inodes, or of retired ones. */
static size_t count(bool of_retired)
{
	size_t live, retired;

	inode_store_counts(store, &live, &retired);
	return of_retired ? retired : live;
}

static int check(struct inode_store *s)
{
	struct strbuf out = STRBUF_INIT;
	int v = inode_store_check(s, &out);

	if (v)
		fprintf(stderr, "%s", out.buf);
	strbuf_release(&out);
	return v;
}

/* The first inode of a store is the root, nodeid 1, as in passthrough_init. */
static struct inode_store *new_store(bool keep, size_t max)
{
	struct inode_store *s = inode_store_new(77, keep, max, &hooks);

	ck_assert_ptr_nonnull(s);
	store = s;
	ck_assert_uint_eq(inode_nodeid(add(s, 2, false, true)), ROOT_NODEID);
	closed = mount_puts = 0;
	return s;
}

static void setup(void)
{
	new_store(true, 2);
}

static void teardown(void)
{
	inode_store_free(store);
	store = NULL;
}

START_TEST(maps_find_what_was_added)
{
	struct inode *a = add(store, 10, true, false), *b = add(store, 11, false, true);
	struct vfs_handle *h = fake_handle(3, 10), *other = fake_handle(4, 10);

	ck_assert_uint_ne(inode_nodeid(a), inode_nodeid(b));
	ck_assert_ptr_eq(inode_store_get(store, inode_nodeid(a)), a);
	inode_store_put(store, a);
	inode_store_lock(store);
	ck_assert_ptr_eq(inode_store_find_handle_locked(store, h), a);
	ck_assert_ptr_null(inode_store_find_handle_locked(store, other)); /* other mount */
	ck_assert_ptr_eq(inode_store_find_ids_locked(store, 7, 11, 3), b);
	ck_assert_ptr_null(inode_store_find_ids_locked(store, 7, 10, 3)); /* not in by-ids */
	ck_assert_ptr_null(inode_store_find_ids_locked(store, 7, 11, 4));
	inode_store_unlock(store);
	ck_assert_uint_eq(inode_generation(store, a), 77);
	ck_assert_uint_eq(inode_generation(store, inode_store_root(store)), 0);
	ck_assert_int_eq(inode_fd(b), 1011);
	ck_assert_int_eq(check(store), 0);
	free(h);
	free(other);
}
END_TEST

START_TEST(unknown_and_forged_nodeids)
{
	add(store, 10, false, true);
	ck_assert_ptr_null(inode_store_get(store, 0));
	ck_assert_ptr_null(inode_store_get(store, 12345));
	ck_assert_ptr_null(inode_store_get(store, UINT64_MAX));
	ck_assert_ptr_null(inode_store_get_any(store, 12345));
	ck_assert_int_eq(inode_store_forget(store, 12345, 1), -ESTALE);
}
END_TEST

START_TEST(forget_counts_lookups)
{
	struct inode *a = add(store, 10, false, true);
	uint64_t id = inode_nodeid(a);

	inode_store_ref_lookup(store, a);
	inode_store_ref_lookup(store, a);
	ck_assert_int_eq(inode_store_forget(store, id, 2), 0);
	ck_assert_ptr_eq(inode_store_get(store, id), a);
	inode_store_put(store, a);
	/* More than it has is clamped, and the inode goes: it has no handle. */
	ck_assert_int_eq(inode_store_forget(store, id, 5), 0);
	ck_assert_ptr_null(inode_store_get(store, id));
	ck_assert_int_eq(closed, 1);
	ck_assert(lock_was_free);
	ck_assert_int_eq(inode_store_forget(store, id, 1), -ESTALE);
}
END_TEST

START_TEST(in_use_inode_outlives_its_forget)
{
	struct inode *a = add(store, 10, false, true);
	uint64_t id = inode_nodeid(a);

	ck_assert_ptr_eq(inode_store_get(store, id), a);
	ck_assert_int_eq(inode_store_forget(store, id, 1), 0);
	ck_assert_int_eq(closed, 0); /* a request still uses it */
	ck_assert_int_eq(inode_fd(a), 1010);
	inode_store_put(store, a);
	ck_assert_int_eq(closed, 1);
	ck_assert(lock_was_free);
}
END_TEST

START_TEST(forgotten_handle_inode_is_retired_then_revived)
{
	struct inode *a = add(store, 10, true, true);
	struct vfs_handle *h = fake_handle(3, 10);
	struct inode_info info;
	struct mount_ref ref = { 3, 98 };
	uint64_t id = inode_nodeid(a);

	ck_assert_int_eq(inode_store_forget(store, id, 1), 0);
	inode_store_info(store, a, &info);
	ck_assert(info.retired);
	ck_assert(!info.mount_ref);
	ck_assert_int_eq(mount_puts, 1); /* given back */
	ck_assert_ptr_null(inode_store_get(store, id)); /* not for requests */
	ck_assert_ptr_eq(inode_store_get_any(store, id), a); /* but for LOOKUP "." */
	inode_store_lock(store);
	ck_assert_ptr_eq(inode_store_find_handle_locked(store, h), a);
	/* its inode number may be reused now: out of by-ids */
	ck_assert_ptr_null(inode_store_find_ids_locked(store, 7, 10, 3));
	ck_assert(!inode_store_give_mount_ref_locked(store, a, &ref)); /* not while retired */
	inode_store_ref_lookup_locked(store, a);
	ck_assert(inode_store_give_mount_ref_locked(store, a, &ref));
	inode_store_unlock(store);
	ck_assert_int_eq(ref.fd, -1);
	inode_store_put(store, a);
	inode_store_info(store, a, &info);
	ck_assert(!info.retired);
	ck_assert(info.mount_ref);
	ck_assert_uint_eq(info.nodeid, id); /* same nodeid again */
	ck_assert_ptr_eq(inode_store_get(store, id), a);
	inode_store_put(store, a);
	ck_assert_int_eq(check(store), 0);
	free(h);
}
END_TEST

START_TEST(retired_inodes_are_bounded_oldest_first)
{
	uint64_t id[4];

	for (int k = 0; k < 4; k++)
		id[k] = inode_nodeid(add(store, 20 + (uint64_t)k, true, false));
	for (int k = 0; k < 4; k++)
		inode_store_forget(store, id[k], 1);
	ck_assert_uint_eq(count(true), 2); /* retired_max */
	ck_assert_ptr_null(inode_store_get_any(store, id[0]));
	ck_assert_ptr_null(inode_store_get_any(store, id[1]));
	for (int k = 2; k < 4; k++) {
		struct inode *i = inode_store_get_any(store, id[k]);

		ck_assert_ptr_nonnull(i);
		inode_store_put(store, i);
	}
	ck_assert_int_eq(mount_puts, 4);
	ck_assert_int_eq(check(store), 0);
}
END_TEST

START_TEST(without_retirement_forgotten_inodes_go)
{
	struct inode *a;

	inode_store_free(store);
	new_store(false, 100);
	a = add(store, 10, true, true);
	inode_store_forget(store, inode_nodeid(a), 1);
	ck_assert_uint_eq(count(true), 0);
	ck_assert_uint_eq(count(false), 1); /* the root */
	ck_assert_int_eq(mount_puts, 1);
	ck_assert_int_eq(check(store), 0);
}
END_TEST

START_TEST(adopt_and_give)
{
	struct inode *f = add(store, 10, false, true), *h = add(store, 11, true, false);
	struct vfs_handle *hf = fake_handle(3, 10), *again = fake_handle(3, 11);
	int fd = 555;

	inode_store_lock(store);
	ck_assert(inode_store_adopt_handle_locked(store, f, &hf)); /* an fd inode */
	ck_assert_ptr_null(hf);
	ck_assert(!inode_store_adopt_handle_locked(store, h, &again)); /* has one */
	ck_assert(!inode_store_give_fd_locked(store, h, &fd, true)); /* has a mount ref */
	ck_assert_int_eq(fd, 555);
	inode_store_unlock(store);
	ck_assert_ptr_nonnull(inode_handle(f));
	ck_assert_int_eq(check(store), 0);
	free(again);
}
END_TEST

/* The check is the store's, and it catches what it is for. */
START_TEST(check_reports_broken_maps_and_duplicates)
{
	struct strbuf out = STRBUF_INIT;
	struct inode *root = inode_store_root(store), *a = add(store, 10, true, false);

	/* Corrupt the store on purpose: the root leaves by-ids behind its back. */
	inode_store_lock(store);
	hash_table_remove(&store->ids, &root->by_ids);
	inode_store_unlock(store);
	ck_assert_int_eq(inode_store_check(store, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.buf, "violation by-ids-map-size map=0 inodes-in-ids=1\n"));
	inode_store_lock(store);
	root->in_ids = false;
	/* And a second live inode with a's handle: one file, two inodes. */
	struct inode_new n = { .dev = 7, .ino = 10, .mnt_id = 3, .h = fake_handle(3, 10),
			       .fd = -1, .mount = MOUNT_REF_NONE };
	struct inode *dup = inode_store_create_locked(store, &n);
	inode_store_unlock(store);
	strbuf_reset(&out);
	ck_assert_int_ge(inode_store_check(store, &out), 1);
	ck_assert_ptr_nonnull(strstr(out.buf, "violation duplicate-live-inodes"));
	ck_assert_ptr_nonnull(dup);
	(void)a;
	strbuf_release(&out);
}
END_TEST

/* Random lookups and forgets; the store's check must pass after each. */
START_TEST(invariants_after_random_sequences)
{
	struct inode *live[64] = { 0 };
	unsigned seed = 12345;

	inode_store_free(store);
	new_store(true, 16);
	for (int step = 0; step < 20000; step++) {
		int k = rand_r(&seed) % 64;
		struct vfs_handle *h = fake_handle(3, (uint32_t)k);
		struct inode *i;

		inode_store_lock(store);
		i = inode_store_find_handle_locked(store, h);
		if (rand_r(&seed) % 2) {
			/* a lookup of file k: find (maybe revive) or create */
			if (i) {
				inode_store_ref_lookup_locked(store, i);
				free(h);
			} else {
				struct inode_new n = { .ino = (uint64_t)k, .mnt_id = 3, .h = h,
						       .fd = -1, .mount = MOUNT_REF_NONE };

				i = inode_store_create_locked(store, &n);
			}
			live[k] = i;
			inode_store_unlock(store);
		} else {
			struct inode_info info = { 0 };

			free(h);
			if (live[k])
				inode_store_info_locked(store, live[k], &info);
			inode_store_unlock(store);
			if (live[k] && !info.retired) {
				inode_store_forget(store, info.nodeid, 1 + (uint64_t)(rand_r(&seed) % 3));
				inode_store_info(store, live[k], &info);
				if (!info.nlookup)
					live[k] = NULL;
			}
		}
		if (step % 1000 == 0) {
			ck_assert_int_eq(check(store), 0);
			ck_assert_uint_le(count(true), 16);
		}
	}
}
END_TEST

/* --state: an old nodeid comes back retired, for LOOKUP "." only, never twice. */
START_TEST(restored_inode_is_retired_and_unique)
{
	struct inode_restore r = { .nodeid = 500, .dev = 7, .ino = 40, .type = 0100000 };
	struct vfs_handle *h = fake_handle(3, 40), *same = fake_handle(3, 40);
	struct inode *a, *b;
	struct inode_info info;

	a = inode_store_restore(store, &r, &h);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(h); /* taken */
	inode_store_info(store, a, &info);
	ck_assert(info.retired);
	ck_assert(!info.has_fd && !info.mount_ref && !info.in_ids);
	ck_assert_uint_eq(info.generation, 77);
	ck_assert_ptr_null(inode_store_get(store, 500));
	ck_assert_ptr_eq(inode_store_get_any(store, 500), a);
	inode_store_put(store, a);
	/* New nodeids start past it. */
	ck_assert_uint_eq(inode_store_next_nodeid(store), 501);
	inode_store_skip_nodeids(store, 9000);
	inode_store_skip_nodeids(store, 600); /* never back */
	ck_assert_uint_eq(inode_nodeid(add(store, 41, true, true)), 9000);
	/* The same nodeid or the same handle again: refused, nothing taken. */
	r.nodeid = 501;
	b = inode_store_restore(store, &r, &same);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_nonnull(same);
	free(same);
	same = fake_handle(3, 42);
	r.nodeid = 500;
	ck_assert_ptr_null(inode_store_restore(store, &r, &same));
	free(same);
	/* Already recorded: never claimed for the state file again. */
	ck_assert(!inode_store_claim_note(store, a));
	ck_assert_int_eq(check(store), 0);
}
END_TEST

UNIT_SUITE(inode_store_suite, "inode_store", setup, teardown,
	   restored_inode_is_retired_and_unique,
	   maps_find_what_was_added,
	   unknown_and_forged_nodeids,
	   forget_counts_lookups,
	   in_use_inode_outlives_its_forget,
	   forgotten_handle_inode_is_retired_then_revived,
	   retired_inodes_are_bounded_oldest_first,
	   without_retirement_forgotten_inodes_go,
	   adopt_and_give,
	   check_reports_broken_maps_and_duplicates,
	   invariants_after_random_sequences)
