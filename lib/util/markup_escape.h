/*
 * markup_escape: text into HTML or XML (the results page, JUnit): the five
 * characters markup gives meaning to as entities, and control bytes other
 * than line breaks and tabs (not allowed in XML 1.0, not shown in HTML)
 * as '?'. What a daemon wrote on stderr goes through here.
 */
#ifndef VFS_MARKUP_ESCAPE_H
#define VFS_MARKUP_ESCAPE_H

#include <stdio.h>

/* @s (NULL: nothing) escaped onto @f. */
void markup_escape(FILE *f, const char *s);

#endif
