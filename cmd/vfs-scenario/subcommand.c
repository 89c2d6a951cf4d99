/* subcommand: merge and compare (subcommand.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/results_html.h"
#include "results/results_merge.h"
#include "subcommand.h"

int subcommand_is(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "merge") || !strcmp(argv[1], "compare"));
}

static int load_all(char **paths, int n, struct json_object **docs)
{
	for (int i = 0; i < n; i++) {
		struct errbuf e;

		if (results_doc_load(paths[i], &docs[i], &e)) {
			fprintf(stderr, "vfs-scenario: %s\n", e.msg);
			return -1;
		}
	}
	return 0;
}

static int merge(char **paths, int n, const char *html)
{
	struct json_object **docs = calloc((size_t)n, sizeof(*docs)), *out = NULL;
	struct errbuf e;
	int rc = 2;

	if (!docs)
		return 2;
	if (load_all(paths, n, docs))
		goto out;
	if (results_merge(docs, (const char *const *)paths, n, &out, &e)) {
		fprintf(stderr, "vfs-scenario: merge: %s\n", e.msg);
		goto out;
	}
	if (results_doc_write(out, "-", &e)) {
		fprintf(stderr, "vfs-scenario: %s\n", e.msg);
		goto out;
	}
	rc = 0;
	if (html && results_html_page_file(html, out, "merged", &e)) {
		fprintf(stderr, "vfs-scenario: %s\n", e.msg);
		rc = 2;
	}
out:
	for (int i = 0; i < n; i++)
		json_object_put(docs[i]);
	json_object_put(out);
	free(docs);
	return rc;
}

static int compare(char **paths, const char *html)
{
	struct json_object *docs[2] = { NULL, NULL };
	struct results_diff diff;
	struct errbuf e;
	int rc = 2;

	if (load_all(paths, 2, docs))
		goto out;
	if (results_compare(docs[0], docs[1], &diff)) {
		fprintf(stderr, "vfs-scenario: compare: no memory\n");
		goto out;
	}
	results_diff_print(stdout, &diff, docs[0], docs[1], paths[0], paths[1]);
	fflush(stdout);
	rc = diff.count[RC_REGRESSION] ? 1 : 0;
	if (html && results_html_compare_file(html, &diff, docs[0], docs[1], paths[0], paths[1], &e)) {
		fprintf(stderr, "vfs-scenario: %s\n", e.msg);
		rc = 2;
	}
	results_diff_release(&diff);
out:
	json_object_put(docs[0]);
	json_object_put(docs[1]);
	return rc;
}

static int usage(const char *cmd, const char *why)
{
	fprintf(stderr, "vfs-scenario %s: %s\nusage: vfs-scenario merge [--html=FILE] "
		"RESULTS.json... >ALL.json\n       vfs-scenario compare [--html=FILE] OLD.json "
		"NEW.json\n", cmd, why);
	return 2;
}

int subcommand_run(int argc, char **argv)
{
	const char *cmd = argv[1], *html = NULL;
	char **files = calloc((size_t)argc, sizeof(*files));
	int n = 0, rc;

	if (!files)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--html=", 7) && argv[i][7]) {
			html = argv[i] + 7;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			free(files);
			printf("usage: vfs-scenario merge [--html=FILE] RESULTS.json... >ALL.json\n"
			       "       vfs-scenario compare [--html=FILE] OLD.json NEW.json\n"
			       "See vfs-scenario --help and vfs-scenario(1).\n");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			char why[160];

			snprintf(why, sizeof(why), "unknown option or missing value: '%.100s'", argv[i]);
			free(files);
			return usage(cmd, why);
		} else {
			files[n++] = argv[i];
		}
	}
	if (!strcmp(cmd, "merge"))
		rc = n ? merge(files, n, html) : usage(cmd, "no results files given");
	else
		rc = n == 2 ? compare(files, html) : usage(cmd, "wants two results files, OLD and NEW");
	free(files);
	return rc;
}
