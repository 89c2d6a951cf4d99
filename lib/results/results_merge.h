/*
 * results_merge: shards (or any runs whose cells do not overlap) joined
 * into one document. Refused, naming the files: documents of different
 * vfskit releases, one target with two versions, a cell in two
 * documents, a shard given twice, or a shard of a run missing (every K of
 * an N must be there, per run: a run is its "matrix" field).
 */
#ifndef VFS_RESULTS_MERGE_H
#define VFS_RESULTS_MERGE_H

#include "results/results_doc.h"

/* 0 with *@out (a new document), or -EINVAL/-ENOMEM with @e. @names: for messages. */
int results_merge(struct json_object **docs, const char *const *names, int n,
		  struct json_object **out, struct errbuf *e);

#endif
