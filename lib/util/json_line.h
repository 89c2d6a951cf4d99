/*
 * json_line: builds one JSON object on one line, in a fixed buffer.
 *
 * Every machine-readable output of vfskit is JSON lines; building a line in
 * memory and writing it with one write() keeps lines whole when several
 * threads log at once.
 */
#ifndef VFS_JSON_LINE_H
#define VFS_JSON_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_line {
	char buf[2048];
	size_t len;
	bool truncated;
};

void json_begin(struct json_line *j);
void json_str(struct json_line *j, const char *key, const char *val);
void json_u64(struct json_line *j, const char *key, uint64_t val);
void json_i64(struct json_line *j, const char *key, int64_t val);
void json_bool(struct json_line *j, const char *key, bool val);
void json_null(struct json_line *j, const char *key);
void json_hex(struct json_line *j, const char *key, const void *data, size_t len);
/* Closes the object and appends '\n'; returns the line's length. */
size_t json_end(struct json_line *j);

#endif
