/*
 * ops_canary: the canary check step, against the tree made before the
 * first step (fixture/canary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "fixture/canary.h"
#include "ops.h"

int op_canary(struct step_ctx *ctx, struct strbuf *out)
{
	struct strbuf now = STRBUF_INIT;
	int r;

	if (!ctx->canary_dir) {
		ops_refuse("canary check: no canary was made");
		return -EINVAL;
	}
	r = canary_describe(ctx->canary_dir, &now);
	if (!r)
		canary_compare(ctx->canary_before, now.buf, out);
	else
		strbuf_addf(out, "changed: the canary cannot be read (%s)", strerror(-r));
	strbuf_release(&now);
	return 0;
}
