/*
 * watchdog: one thread per armed limit, waiting on a condition with a
 * monotonic deadline, so disarming is immediate.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "watchdog.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_t thread, armer;
static struct timespec deadline;
static void (*on_expire)(void);
static bool armed, disarmed;

static void *watch(void *unused)
{
	bool expired = false;

	(void)unused;
	pthread_mutex_lock(&lock);
	while (!disarmed && !expired)
		expired = pthread_cond_timedwait(&wake, &lock, &deadline) == ETIMEDOUT;
	expired = expired && !disarmed;
	pthread_mutex_unlock(&lock);
	if (expired) {
		on_expire();
		pthread_kill(armer, SIGALRM);
	}
	return NULL;
}

int watchdog_arm(int seconds, void (*expire)(void))
{
	static bool ready;
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!ready) {
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&wake, &ca);
		pthread_condattr_destroy(&ca);
		ready = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	on_expire = expire;
	armer = pthread_self();
	disarmed = false;
	/* The thread takes no signal: the runner's handlers stay the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&thread, NULL, watch, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	armed = !err;
	return err;
}

void watchdog_disarm(void)
{
	if (!armed)
		return;
	pthread_mutex_lock(&lock);
	disarmed = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	armed = false;
}
