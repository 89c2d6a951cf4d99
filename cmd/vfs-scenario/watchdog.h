/*
 * watchdog: a cell's time limit, kept by a thread of its own. alarm(2)
 * alone is not enough: a step blocked on a FUSE request whose daemon
 * stopped answering sleeps uninterruptibly once the request was read, and
 * a signal's handler runs only after the call returns, which then never
 * happens. The thread is not blocked: it ends the connection itself.
 */
#ifndef VFS_SCENARIO_WATCHDOG_H
#define VFS_SCENARIO_WATCHDOG_H

/*
 * After @seconds calls @expire in the watchdog's thread, then sends the
 * arming thread SIGALRM (so an interruptible wait returns too), unless
 * disarmed first. 0 or -errno.
 */
int watchdog_arm(int seconds, void (*expire)(void));
/* Disarms it and waits for its thread. */
void watchdog_disarm(void);

#endif
