/* line_reader: lines within a time limit (line_reader.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "line_reader.h"
#include "util/mono_clock.h"

int line_read(struct line_reader *lr, char *line, size_t len, int ms)
{
	long long deadline = mono_ms() + ms;
	size_t have = 0;

	for (;;) {
		char *nl = memchr(lr->buf, '\n', lr->len);
		size_t k = nl ? (size_t)(nl - lr->buf) + 1 : lr->len;
		struct pollfd p = { .fd = lr->fd, .events = POLLIN };
		long long left;
		ssize_t n;
		int r;

		/* What came so far moves into @line: a line may be longer than the buffer. */
		if (have + k + (nl ? 0 : 1) > len)
			return -E2BIG;
		memcpy(line + have, lr->buf, k);
		have += k;
		memmove(lr->buf, lr->buf + k, lr->len - k);
		lr->len -= k;
		if (nl) {
			line[have - 1] = '\0';
			return 0;
		}
		left = deadline - mono_ms();
		r = poll(&p, 1, (int)(left > 0 ? left : 0));
		if (r < 0 && errno == EINTR)
			return -EINTR;
		if (r <= 0)
			return r < 0 ? -errno : -ETIMEDOUT;
		n = read(lr->fd, lr->buf, sizeof(lr->buf));
		if (n <= 0)
			return -EPIPE;
		lr->len = (size_t)n;
	}
}
