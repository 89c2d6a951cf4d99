/* mono_clock: one place for the monotonic milliseconds every wait counts in. */
#include <time.h>

#include "util/mono_clock.h"

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
