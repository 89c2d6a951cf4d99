/*
 * subcommand: "vfs-scenario merge" and "vfs-scenario compare", which read
 * results documents rather than run scenarios (lib/results does the work).
 */
#ifndef VFS_SCENARIO_SUBCOMMAND_H
#define VFS_SCENARIO_SUBCOMMAND_H

/* Whether argv[1] names a subcommand. */
int subcommand_is(int argc, char **argv);
/* Runs it; the exit status (2: usage or a bad document). */
int subcommand_run(int argc, char **argv);

#endif
