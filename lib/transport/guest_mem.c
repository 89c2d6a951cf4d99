/*
 * guest_mem: a gpa+len range is checked against the region with
 * subtraction only, so no sum can overflow past the end of the address
 * space and wrap into a region.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "transport/guest_mem.h"

void guest_mem_init(struct guest_mem *m)
{
	memset(m, 0, sizeof(*m));
}

int guest_mem_add_memfd(struct guest_mem *m, uint64_t gpa, uint64_t size)
{
	struct guest_region *r;
	int fd, err;
	void *va;

	if (m->n == GUEST_MEM_MAX_REGIONS || !size || gpa + size < gpa)
		return -EINVAL;
	fd = memfd_create("vfskit-guest-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	r = &m->region[m->n++];
	*r = (struct guest_region){ .gpa = gpa, .size = size, .va = va, .fd = fd,
				    .uaddr = (uintptr_t)va };
	return 0;
}

int guest_mem_add_fd(struct guest_mem *m, int fd, uint64_t gpa, uint64_t size, uint64_t uaddr,
		     uint64_t offset)
{
	void *map;

	if (m->n == GUEST_MEM_MAX_REGIONS || !size || gpa + size < gpa || uaddr + size < uaddr ||
	    offset + size < offset || offset + size > SIZE_MAX)
		return -EINVAL;
	for (int i = 0; i < m->n; i++) {
		const struct guest_region *r = &m->region[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -EINVAL; /* two regions for one guest address */
	}
	map = mmap(NULL, (size_t)(offset + size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	m->region[m->n++] = (struct guest_region){ .gpa = gpa, .size = size,
						   .va = (char *)map + offset, .fd = fd,
						   .uaddr = uaddr, .map = map,
						   .map_len = (size_t)(offset + size) };
	return 0;
}

void *guest_mem_uva(const struct guest_mem *m, uint64_t uaddr, uint64_t len)
{
	for (int i = 0; i < m->n; i++) {
		const struct guest_region *r = &m->region[i];

		if (uaddr >= r->uaddr && uaddr - r->uaddr <= r->size &&
		    len <= r->size - (uaddr - r->uaddr))
			return (char *)r->va + (uaddr - r->uaddr);
	}
	return NULL;
}

void guest_mem_release(struct guest_mem *m)
{
	for (int i = 0; i < m->n; i++) {
		if (m->region[i].map)
			munmap(m->region[i].map, m->region[i].map_len);
		else
			munmap(m->region[i].va, m->region[i].size);
		if (m->region[i].fd >= 0)
			close(m->region[i].fd);
	}
	m->n = 0;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < m->n; i++) {
		const struct guest_region *r = &m->region[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return (char *)r->va + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_alloc(struct guest_mem *m, uint64_t len, uint64_t align, uint64_t *gpa)
{
	struct guest_region *r = &m->region[0];
	uint64_t at;

	if (!m->n || !align || (align & (align - 1)))
		return -EINVAL;
	at = (r->next + align - 1) & ~(align - 1);
	if (at < r->next || at > r->size || len > r->size - at)
		return -ENOMEM;
	r->next = at + len;
	*gpa = r->gpa + at;
	return 0;
}
