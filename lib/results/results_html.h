/*
 * results_html: a results document, or a comparison of two, as one
 * self-contained HTML page: inline CSS, no scripts, no fetches, so it
 * reads the same from a CI artifact, a mail or a disk with no network.
 * The matrix is coloured by outcome; a cell with something to say links
 * to its section below (failing step, expected, got, the daemon's last
 * stderr lines, the whole report), which :target highlights.
 */
#ifndef VFS_RESULTS_HTML_H
#define VFS_RESULTS_HTML_H

#include <stdio.h>

#include "results/results_compare.h"

/* 0, or -EIO if @f could not take it. */
int results_html_page(FILE *f, struct json_object *doc, const char *name);
int results_html_compare(FILE *f, const struct results_diff *diff, struct json_object *old,
			 struct json_object *new, const char *old_name, const char *new_name);

/* The same into the file @path: 0, or -errno with @e ("cannot write PATH: ..."). */
int results_html_page_file(const char *path, struct json_object *doc, const char *name,
			   struct errbuf *e);
int results_html_compare_file(const char *path, const struct results_diff *diff,
			      struct json_object *old, struct json_object *new,
			      const char *old_name, const char *new_name, struct errbuf *e);

#endif
