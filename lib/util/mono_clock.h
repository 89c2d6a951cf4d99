/*
 * mono_clock: milliseconds of CLOCK_MONOTONIC, for deadlines and timeouts
 * that a change of the wall clock must not move.
 */
#ifndef VFS_MONO_CLOCK_H
#define VFS_MONO_CLOCK_H

long long mono_ms(void);

#endif
