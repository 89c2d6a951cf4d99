/* shard: which part of the matrix a cell is in (shard.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"
#include "scenario/scenario.h"

int shard_parse(const char *arg, struct options *o)
{
	const char *slash = strchr(arg, '/');
	char k[16];

	if (!slash || (size_t)(slash - arg) >= sizeof(k))
		goto bad;
	memcpy(k, arg, (size_t)(slash - arg));
	k[slash - arg] = '\0';
	if (!whole_number(k, 1, 1000) || !whole_number(slash + 1, 1, 1000) ||
	    atoi(k) > atoi(slash + 1))
		goto bad;
	o->shard_k = atoi(k);
	o->shard_n = atoi(slash + 1);
	return 0;
bad:
	fprintf(stderr, "vfs-scenario: invalid value '%s' for --shard: want K/N, 1 <= K <= N <= "
		"1000 (--shard=2/3: the second of three parts)\n", arg);
	return -1;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

bool shard_has(const struct options *o, const char *scenario, const char *target)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (o->shard_n <= 1)
		return true;
	h = fnv1a(h, scenario, strlen(scenario) + 1); /* the NUL parts the two names */
	h = fnv1a(h, target, strlen(target));
	return (int)(h % (uint64_t)o->shard_n) == o->shard_k - 1;
}
