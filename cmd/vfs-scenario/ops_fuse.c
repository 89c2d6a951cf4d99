/*
 * ops_fuse: fuse and raw steps, through the FUSE client the runner
 * connected for this run. A reply that breaks the protocol is the
 * server's failure (EPROTO, with what was wrong in the report); words a
 * variable made unusable are the runner's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "ops.h"

int op_fuse(struct step_ctx *ctx, bool raw, int argc, char **argv, struct strbuf *out)
{
	const char *why = NULL;
	int r;

	if (!ctx->fuse || !ctx->fuse->connected) {
		if (ctx->fuse)
			return -EPIPE; /* hung up by a disconnect step: nothing reaches it */
		ops_refuse("%s steps need a protocol target", raw ? "raw" : "fuse");
		return -EINVAL;
	}
	r = fuse_words_run(&ctx->fuse->client, argv[0], raw, argc - 1, argv + 1, &ctx->fields,
			   &why);
	if (r == -EINVAL && why) {
		ops_refuse("%s %s: %s", raw ? "raw" : "fuse", argv[0], why);
		return r;
	}
	if (r == -EOPNOTSUPP && why) {
		ops_refuse("%s", why);
		return r;
	}
	if (!r && raw && !strcmp(argv[0], "disconnect"))
		fuse_target_disconnect(ctx->fuse);
	if (r == -EPROTO)
		strbuf_addf(ctx->notes, "  protocol violation: %s\n", ctx->fuse->client.why);
	strbuf_addstr(out, ctx->fields.value.buf);
	return r;
}
