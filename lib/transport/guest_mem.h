/*
 * guest_mem: "guest RAM" as vhost-user sees it: regions of memory with a
 * guest-physical address each, shared with the other side as memfds. The
 * front-end makes the regions (guest_mem_add_memfd) and hands out buffers
 * from them (guest_mem_alloc, a bump allocator: a scenario's requests are
 * few); both sides translate guest-physical addresses, refusing any range
 * that is not wholly inside one region.
 */
#ifndef VFS_GUEST_MEM_H
#define VFS_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 8 /* vhost-user's limit */

struct guest_region {
	uint64_t gpa;
	uint64_t size;
	void *va;
	int fd;          /* the memfd, -1 when not ours */
	uint64_t next;   /* bump allocator: next free offset */
	uint64_t uaddr;  /* the front-end's address of it (back-end side) */
	void *map;       /* what to munmap: va less the fd's offset */
	size_t map_len;
};

struct guest_mem {
	struct guest_region region[GUEST_MEM_MAX_REGIONS];
	int n;
};

void guest_mem_init(struct guest_mem *m);
/* A new memfd region of @size bytes at guest-physical @gpa. 0 or -errno. */
int guest_mem_add_memfd(struct guest_mem *m, uint64_t gpa, uint64_t size);
/*
 * Back-end side: maps @size bytes of @fd from @offset (SET_MEM_TABLE's
 * region), at guest-physical @gpa and front-end address @uaddr; the fd is
 * taken (closed with the region). 0, -EINVAL (overlapping or wrapping
 * ranges, too many regions) or -errno of mmap.
 */
int guest_mem_add_fd(struct guest_mem *m, int fd, uint64_t gpa, uint64_t size, uint64_t uaddr,
		     uint64_t offset);
/* Unmaps and closes every region. */
void guest_mem_release(struct guest_mem *m);
/* @len bytes at the front-end's address @uaddr, or NULL (vring addresses are these). */
void *guest_mem_uva(const struct guest_mem *m, uint64_t uaddr, uint64_t len);

/* @len bytes at @gpa as a pointer, or NULL when not wholly inside one region. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* @len bytes (aligned to @align, a power of two) from the first region, at *@gpa. 0 or -ENOMEM. */
int guest_mem_alloc(struct guest_mem *m, uint64_t len, uint64_t align, uint64_t *gpa);

#endif
