/*
 * ops_oracle: `notify oracle start NODEID=PATH...` watches the host
 * directories behind the guest's watched nodeids with inotify and fanotify
 * directly; `notify oracle inotify|fanotify` compares what that oracle saw
 * with what the guest was delivered since, in the guest's words: "same",
 * or "differs at K: guest LINE, inotify LINE".
 */
#ifndef VFS_SCENARIO_OPS_ORACLE_H
#define VFS_SCENARIO_OPS_ORACLE_H

#include <stdint.h>

#include "util/strbuf.h"

/* @mask_of: the IN_* mask the guest watched a nodeid with, 0 if none. */
int oracle_start(const char *host_root, int argc, char **argv, uint32_t (*mask_of)(unsigned long long),
		 struct strbuf *out);
int oracle_compare(const char *which, struct strbuf *out);
/* Reads what both oracles have queued (every notify step does). */
void oracle_drain(void);
/* A delivery the guest took ("none" is not one). */
void oracle_note_guest(const char *text);

#endif
