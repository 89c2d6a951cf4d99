/*
 * open_files: the file handles a FUSE session gives out. A handle is an
 * index into this table with a generation, never a host fd or a pointer
 * a guest could name: each use is looked up and checked (the kind, still
 * open, the generation of that slot), so a forged, stale or cross-kind
 * handle is EBADF, and a handle released while in use is closed after
 * its last use. As the Rust virtiofsd's handle map, not libfuse's
 * examples' raw fd in fi->fh.
 */
#ifndef VFS_OPEN_FILES_H
#define VFS_OPEN_FILES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum open_kind { OPEN_FILE = 1, OPEN_DIR = 2 };

struct open_file {
	enum open_kind kind;
	int fd;          /* OPEN_FILE: the host fd */
	void *dir;       /* OPEN_DIR: the caller's directory stream */
	uint32_t gen;    /* 0: the slot is free */
	int refs;        /* uses in progress, and 1 while open */
	bool released;
	uint32_t next_free;
};

struct open_files {
	pthread_mutex_t lock;
	struct open_file *slot;
	size_t cap, used;        /* slots allocated, and ever handed out */
	uint32_t free_head;      /* 1 + index of a free slot, 0: none */
	uint32_t next_gen;
	size_t open;             /* handles open now */
	void (*close_dir)(void *dir); /* closes an OPEN_DIR's stream */
	uint64_t *live;          /* counted up at add, down at the close itself (NULL: none) */
};

#define OPEN_FILES_MAX (1u << 20) /* handles open at once: a guest cannot grow the table past it */

/*
 * An empty table. *@live (a counters.h counter, or NULL) counts what is
 * open on the host: down only when a descriptor is really closed, which
 * for a handle released in use is after its last use.
 */
void open_files_init(struct open_files *t, void (*close_dir)(void *dir), uint64_t *live);
/* Closes every handle still open (a guest gone: its handles with it). */
void open_files_clear(struct open_files *t);
void open_files_release(struct open_files *t);

/* A new handle for @fd (OPEN_FILE) or @dir (OPEN_DIR) into *@fh: 0, or -ENOMEM / -EMFILE. */
int open_files_add(struct open_files *t, enum open_kind kind, int fd, void *dir, uint64_t *fh);
/* A handle in use: what it opens, copied out (the table may move while it is held). */
struct open_ref {
	uint32_t index, gen;
	int fd;
	void *dir;
};

/* The open handle @fh of @kind into @ref, held until open_files_put: 0, or -EBADF for any other. */
int open_files_get(struct open_files *t, uint64_t fh, enum open_kind kind, struct open_ref *ref);
void open_files_put(struct open_files *t, const struct open_ref *ref);
/* RELEASE: closed now, or after the uses in progress. 0, or -EBADF for a handle not open. */
int open_files_remove(struct open_files *t, uint64_t fh, enum open_kind kind);

/*
 * A migration's: @fn on each open handle (fh, kind, fd or dir), under the
 * table's lock (it must not call back into the table).
 */
void open_files_each(struct open_files *t,
		     void (*fn)(uint64_t fh, enum open_kind kind, int fd, void *dir, void *arg),
		     void *arg);
/*
 * Puts @fd or @dir at handle @fh, as the source gave it, into a table
 * that has not given handles itself (a migration's destination): 0,
 * -EEXIST (taken), -EINVAL (not a handle, or a table in use) or -ENOMEM.
 * Handles given later get new generations.
 */
int open_files_restore(struct open_files *t, uint64_t fh, enum open_kind kind, int fd,
		       void *dir);
/* Ends restoring: the slots no handle took become free. */
void open_files_restored(struct open_files *t);

#endif
