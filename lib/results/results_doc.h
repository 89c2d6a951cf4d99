/*
 * results_doc: one run's results as a JSON document ("vfskit-results",
 * version 1): the vfskit version, the host kernel, the shard, the targets
 * (name, program, version, options, guest kernel) and one entry per cell
 * (scenario, target, outcome, reason, failing step, expected, got, the
 * daemon's stderr tail, time). Documents come from other machines and
 * other releases: loading checks every field a reader relies on and names
 * the first one that is wrong.
 *
 * Kept as json-c objects: merge, compare and the page read the same tree.
 */
#ifndef VFS_RESULTS_DOC_H
#define VFS_RESULTS_DOC_H

#include <stdbool.h>

#include <json-c/json.h>

#include "util/errbuf.h"

#define RESULTS_FORMAT "vfskit-results"
#define RESULTS_FORMAT_VERSION 1

/* A bad document: @e says what is wrong (no strerror after it); -EINVAL. */
int results_invalid(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An outcome's word in a document. */
enum results_outcome {
	RO_PASS, RO_FAIL, RO_BUG, RO_NO_BUG, RO_SKIP, RO_BY_DESIGN, RO_HANG, RO_NA, RO_COUNT,
};

/* "pass", "fail", "bug", "no-bug", "skip", "by-design", "hang", "n/a". */
const char *results_outcome_word(enum results_outcome o);
/* The outcome for @word, or -1. */
int results_outcome_parse(const char *word);
/* What a person reads in a table: "PASS", "bug reproduced", "bug missing!"... */
const char *results_outcome_label(enum results_outcome o);
/* Not as the scenario declares: the run fails (fail, no-bug, hang). */
bool results_outcome_unexpected(enum results_outcome o);

/*
 * Reads and checks the document in @path ("-": stdin). 0 with *@doc (the
 * caller puts it), or -errno with @e naming the file and, for a bad
 * document, the field ("cells[3].outcome: 'pasS' is not an outcome").
 */
int results_doc_load(const char *path, struct json_object **doc, struct errbuf *e);
/* The same checks on a tree already in memory; @name for the message. */
int results_doc_check(struct json_object *doc, const char *name, struct errbuf *e);

/* A new, empty document: format, version, vfskit, empty targets and cells. */
struct json_object *results_doc_new(const char *vfskit_version);

/* Field access on a checked document: a member's string, or @dflt. */
const char *results_str(struct json_object *o, const char *key, const char *dflt);
/* The cells array, the targets array. */
struct json_object *results_cells(struct json_object *doc);
struct json_object *results_targets(struct json_object *doc);
/* A cell's outcome (checked on load). */
enum results_outcome results_cell_outcome(struct json_object *cell);
/* "scenario [target]": a cell's key (merge, compare and the page index by it), in @buf. */
const char *results_cell_key(struct json_object *cell, char *buf, size_t len);
/* Whether a cell of outcome @o has a failing step worth showing: it failed, hung or showed its bug. */
bool results_outcome_shows_step(enum results_outcome o);

/* Writes @doc to @path ("-": stdout), pretty and ending in a newline. 0 or -errno. */
int results_doc_write(struct json_object *doc, const char *path, struct errbuf *e);

#endif
