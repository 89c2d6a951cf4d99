/*
 * inject_spec: parsing is strict and complete before the target starts: an
 * unknown syscall, errno, flag or clause is a usage error, never a spec
 * that silently matches nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errno_name.h"
#include "obs/inject_spec.h"

static const struct syscall_info syscalls[] = {
	{ "name_to_handle_at", 1, -1, -1 },
	{ "open_by_handle_at", -1, -1, 2 },
	{ "openat", 1, -1, 2 },
	{ "openat2", 1, -1, -2 },
	{ "open", 0, -1, 1 },
	{ "statx", 1, -1, -1 },
	{ "newfstatat", 1, -1, -1 },
	{ "renameat2", 1, 3, -1 },
	{ "renameat", 1, 3, -1 },
	{ "rename", 0, 1, -1 },
	{ "unlinkat", 1, -1, -1 },
	{ "mkdirat", 1, -1, -1 },
	{ "mknodat", 1, -1, -1 },
	{ "fanotify_init", -1, -1, -1 },
	{ "fanotify_mark", 4, -1, -1 },
	{ "close", -1, -1, -1 },          /* failed, the fd stays open: a leak to plant */
	{ NULL, 0, 0, 0 },
};

const struct syscall_info *syscall_info_find(const char *name)
{
	for (const struct syscall_info *s = syscalls; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

const char *syscall_names(void)
{
	static char buf[512];
	size_t o = 0;

	if (!buf[0])
		for (const struct syscall_info *s = syscalls; s->name; s++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? " " : "", s->name);
	return buf;
}

static const struct { const char *name; unsigned long v; } open_flags[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_NOCTTY", O_NOCTTY },
	{ "O_TRUNC", O_TRUNC }, { "O_APPEND", O_APPEND }, { "O_NONBLOCK", O_NONBLOCK },
	{ "O_DSYNC", O_DSYNC }, { "O_DIRECT", O_DIRECT }, { "O_LARGEFILE", O_LARGEFILE },
	{ "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW },
	{ "O_NOATIME", O_NOATIME }, { "O_CLOEXEC", O_CLOEXEC }, { "O_SYNC", O_SYNC },
	{ "O_PATH", O_PATH }, { "O_TMPFILE", O_TMPFILE },
};

int open_flags_parse(const char *text, unsigned long *flags)
{
	char *copy = strdup(text), *save, *tok;
	int err = *text ? 0 : -EINVAL;

	*flags = 0;
	for (tok = strtok_r(copy, "|", &save); tok && !err; tok = strtok_r(NULL, "|", &save)) {
		size_t i, n = sizeof(open_flags) / sizeof(open_flags[0]);
		char *end;

		for (i = 0; i < n && strcmp(tok, open_flags[i].name); i++)
			;
		if (i < n) {
			*flags |= open_flags[i].v;
		} else {
			unsigned long v = strtoul(tok, &end, 0);

			if (*end || end == tok)
				err = -EINVAL;
			*flags |= v;
		}
	}
	free(copy);
	return err;
}

int spec_parse(const char *text, struct spec *s, char *why, size_t len)
{
	char *copy = strdup(text), *eq = strchr(copy, '='), *colon, *save, *clause;
	const char *schedwhy;
	int err = -EINVAL;

	memset(s, 0, sizeof(*s));
	s->sched.when = FAULT_EVERY;
	if (!eq) {
		snprintf(why, len, "'%s': want SYSCALL=ERRNO[:CLAUSE]...", text);
		goto out;
	}
	*eq = '\0';
	s->sys = syscall_info_find(copy);
	if (!s->sys) {
		snprintf(why, len, "unknown syscall '%s' (known: %s)", copy, syscall_names());
		goto out;
	}
	s->nr = seccomp_syscall_resolve_name(copy);
	if (s->nr < 0) {
		snprintf(why, len, "syscall '%s' does not exist on this architecture", copy);
		goto out;
	}
	colon = strchr(eq + 1, ':');
	if (colon)
		*colon = '\0';
	if (errno_parse(eq + 1, &s->err)) {
		snprintf(why, len, "unknown errno '%s' in '%s'", eq + 1, text);
		goto out;
	}
	for (clause = colon ? strtok_r(colon + 1, ":", &save) : NULL; clause;
	     clause = strtok_r(NULL, ":", &save)) {
		if (!strncmp(clause, "path=", 5) && clause[5]) {
			if (s->sys->path_arg < 0) {
				snprintf(why, len, "%s has no path to match in '%s'", s->sys->name, text);
				goto out;
			}
			free(s->path);
			s->path = strdup(clause + 5);
		} else if (!strncmp(clause, "flags=", 6) || !strncmp(clause, "noflags=", 8)) {
			bool set = clause[0] == 'f';
			unsigned long f;

			if (s->sys->flags_arg == -1) {
				snprintf(why, len, "%s has no open flags to match in '%s'", s->sys->name, text);
				goto out;
			}
			if (open_flags_parse(clause + (set ? 6 : 8), &f)) {
				snprintf(why, len, "unknown open flag in '%s'", clause);
				goto out;
			}
			if (set)
				s->flags_set |= f;
			else
				s->flags_clear |= f;
		} else if (!strcmp(clause, "forked")) {
			s->forked_only = true;
		} else if (!strncmp(clause, "armed=", 6) && clause[6]) {
			free(s->armed_file);
			s->armed_file = strdup(clause + 6);
			if (!s->armed_file) {
				err = -ENOMEM;
				snprintf(why, len, "out of memory");
				goto out;
			}
		} else if (fault_schedule_parse(clause, &s->sched, &schedwhy)) {
			snprintf(why, len, "bad clause '%s' in '%s': %s, or path=GLOB, "
				 "flags=FLAGS, noflags=FLAGS, forked, armed=FILE", clause, text, schedwhy);
			goto out;
		}
	}
	s->rng = s->sched.seed ? s->sched.seed : 1;
	err = 0;
out:
	free(copy);
	if (err)
		spec_free(s);
	return err;
}

void spec_free(struct spec *s)
{
	free(s->path);
	s->path = NULL;
	free(s->armed_file);
	s->armed_file = NULL;
}
