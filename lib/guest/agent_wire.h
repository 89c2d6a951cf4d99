/*
 * agent_wire: how vfs-scenario and vfs-guest-agent talk over the guest's
 * second serial port. One request per line: words separated by tabs, each
 * percent-encoded (%XX for '%', tabs, newlines and every byte outside
 * 0x21..0x7e), so any value crosses; the first word is the kind ("file",
 * "guest", "poweroff"), the second the operation, then its arguments,
 * each led by a flag character: 'v' a value, 'p' a path below the root,
 * 'P' a path whose last component is followed. One reply per line: errno
 * (0 for success), the files the agent holds open, the value, the
 * refusal (empty unless the step was refused). The agent says
 * "vfskit-agent ready" once, first; given a tag it says "vfskit-agent
 * booted" instead and mounts the share on a "mount TAG" request (the
 * runner snapshots the guest before that: vm_snapshot.h).
 */
#ifndef VFS_AGENT_WIRE_H
#define VFS_AGENT_WIRE_H

#include <stddef.h>

#include "util/strbuf.h"

#define AGENT_READY "vfskit-agent ready"
#define AGENT_BOOTED "vfskit-agent booted"
#define AGENT_LINE_MAX (4 * 65536 + 4096) /* a value of 64 KiB, encoded, and the rest */

/* Appends @s (@len bytes) to @sb, percent-encoded. */
void wire_encode(struct strbuf *sb, const char *s, size_t len);
/* Decodes @s in place; its length, or -1 for a bad %XX. */
long wire_decode(char *s);
/* Splits @line at tabs into at most @max words (in place); how many. */
int wire_split(char *line, char **words, int max);

#endif
