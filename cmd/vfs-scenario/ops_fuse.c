/*
 * ops_fuse: fuse and raw steps, through the FUSE client the runner
 * connected for this run. A reply that breaks the protocol is the
 * server's failure (EPROTO, with what was wrong in the report); words a
 * variable made unusable are the runner's. With oracle steps in the
 * scenario every request's outcome is judged as vfs-fuzz judges it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "ops.h"

int op_oracle(struct step_ctx *ctx, const char *name, struct strbuf *out)
{
	int k = fuzz_oracle_parse(name);
	const char *site;

	if (!ctx->oracle || k < 0) {
		ops_refuse("oracle %s: no oracle judges this run", name);
		return -EINVAL;
	}
	site = fuzz_oracle_site(ctx->oracle, k);
	strbuf_addstr(out, site ? site : "none");
	if (site)
		strbuf_addf(ctx->notes, "  oracle %s: %s\n", name, fuzz_oracle_text(ctx->oracle, k));
	return 0;
}

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
	if (ctx->oracle)
		fuzz_oracle_observe(ctx->oracle, argv[0], raw, argc - 1, argv + 1, r, &ctx->fields,
				    r == -EPROTO ? ctx->fuse->client.why : why);
	strbuf_addstr(out, ctx->fields.value.buf);
	return r;
}
