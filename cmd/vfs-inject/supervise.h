/*
 * supervise: runs a program under a seccomp filter that hands the named
 * system calls to us (seccomp user notification), and fails the ones the
 * specs select; every other call goes on unchanged
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). The filter is inherited by the
 * program's threads and children and survives exec, so they stay covered;
 * filters the program installs itself stack on top of ours.
 */
#ifndef VFS_INJECT_SUPERVISE_H
#define VFS_INJECT_SUPERVISE_H

#include "obs/inject_spec.h"

/*
 * Runs @argv with @specs armed, logging injected calls as JSON lines to
 * @log_fd (-1: none). Returns the program's exit status (128 + signal if
 * it was killed), or 126/127 if it could not be started.
 */
int supervise_exec(struct spec *specs, int nspecs, char **argv, int log_fd, bool verbose);

#endif
