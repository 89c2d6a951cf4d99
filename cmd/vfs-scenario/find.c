/* find: scandir in name order, so a matrix is always in the same order. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "find.h"
#include "target/target_locate.h"
#include "util/array.h"

static void collect(const char *path, struct files *fs, int *errors)
{
	struct stat st;
	struct dirent **list;
	int n;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		(*errors)++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		char *copy = strdup(path);

		if (!copy || ARRAY_GROW(fs->path, (size_t)fs->n + 1, fs->cap)) {
			fprintf(stderr, "vfs-scenario: out of memory listing %s\n", path);
			free(copy);
			(*errors)++;
			return;
		}
		fs->path[fs->n++] = copy;
		return;
	}
	n = scandir(path, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[PATH_MAX];
		size_t len = strlen(list[i]->d_name);

		snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
		if (list[i]->d_name[0] != '.' &&
		    (list[i]->d_type == DT_DIR || (len > 4 && !strcmp(list[i]->d_name + len - 4, ".scn"))))
			collect(sub, fs, errors);
		free(list[i]);
	}
	free(list);
}

static bool is_family_word(const char *w)
{
	return *w && strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789-_/") == strlen(w) &&
	       w[0] != '/' && !strstr(w, "..");
}

/* A word that is no path: FAMILY or FAMILY/NAME below @root. */
static void collect_word(const char *word, const char *root, bool have_root, const char *looked,
			 struct files *fs, int *errors)
{
	char sub[PATH_MAX + 300];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/%s", root, word);
	if (have_root && stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
		collect(sub, fs, errors);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/%s.scn", root, word);
	if (have_root && stat(sub, &st) == 0) {
		collect(sub, fs, errors);
		return;
	}
	if (have_root)
		fprintf(stderr, "vfs-scenario: %s: no such file, and no family or scenario "
			"of that name in %s\n", word, root);
	else
		fprintf(stderr, "vfs-scenario: %s: no such file, and no installed scenarios "
			"(looked in: %s)\n", word, looked);
	(*errors)++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int find_scenarios(struct options *o, int n, char **args, struct files *fs, int *errors)
{
	struct strbuf looked = STRBUF_INIT;
	char root[PATH_MAX];
	bool have_root = data_dir_find("scenarios", root, sizeof(root), &looked) == 0;
	int rc = 0;

	if (!o->fixtures_set) {
		struct strbuf fl = STRBUF_INIT;

		if (data_dir_find("fixtures", o->fixtures, sizeof(o->fixtures), &fl))
			snprintf(o->fixtures, sizeof(o->fixtures), "fixtures");
		strbuf_release(&fl);
	}
	if (!n && !have_root) {
		fprintf(stderr, "vfs-scenario: no scenarios given, and none installed; "
			"looked in: %s\n", looked.buf);
		rc = 2;
	} else if (!n) {
		collect(root, fs, errors);
	}
	if (o->verbose && have_root)
		fprintf(stderr, "vfs-scenario: scenarios from %s, fixtures from %s\n", root,
			o->fixtures);
	for (int i = 0; i < n && !rc; i++) {
		struct stat st;

		if (stat(args[i], &st) == 0 || !is_family_word(args[i]))
			collect(args[i], fs, errors);
		else
			collect_word(args[i], root, have_root, looked.buf, fs, errors);
	}
	strbuf_release(&looked);
	if (fs->n)
		qsort(fs->path, (size_t)fs->n, sizeof(char *), cmp_str);
	return rc;
}

void files_free(struct files *fs)
{
	for (int i = 0; i < fs->n; i++)
		free(fs->path[i]);
	free(fs->path);
	fs->path = NULL;
	fs->n = 0;
	fs->cap = 0;
}

char *scenario_short_name(const char *path)
{
	char *copy = strdup(path), *base, *dot, *out;

	if (!copy)
		return NULL;
	base = strrchr(copy, '/');
	dot = strrchr(copy, '.');
	if (dot && !strcmp(dot, ".scn"))
		*dot = '\0';
	if (base) {
		*base = '\0';
		char *fam = strrchr(copy, '/');

		if (asprintf(&out, "%s/%s", fam ? fam + 1 : copy, base + 1) < 0)
			out = NULL;
	} else {
		out = strdup(copy);
	}
	free(copy);
	return out;
}
