/* mutate: one run per negated expectation, on each target where the scenario passes. */
#include <stdio.h>

#include "cell.h"
#include "mutate.h"

/*
 * The expectations of @s on @t that decided nothing; how many were tried
 * in *@tried, and how many do not run on @t in *@not_run: server steps
 * need vfs-serve's control socket, so on any other daemon the runner
 * passes them over, and they are tried where they run.
 */
static int mutate_one(const struct options *o, const char *workdir, struct scenario *s,
		      const struct target *t, int *tried, int *not_run)
{
	int vacuous = 0;

	for (int k = 0; k < s->nsteps && !cell_stopped(); k++) {
		struct expect *e = &s->steps[k].expect;

		if (!s->steps[k].op || s->steps[k].assume || e->type == EXPECT_NONE ||
		    e->type == EXPECT_ANY)
			continue;
		if (s->steps[k].kind == KIND_SERVER && !target_is(t, TARGET_OURS)) {
			(*not_run)++;
			continue;
		}
		(*tried)++;
		e->negate = !e->negate;
		if (cell_outcome(o, workdir, s, t) == OUTCOME_PASS) {
			printf("vacuous %s:%d [%s]: the scenario still passes with this expectation "
			       "negated\n", s->path, s->steps[k].line, t->name);
			vacuous++;
		}
		e->negate = !e->negate;
	}
	return vacuous;
}

int mutate(const struct options *o, const char *workdir, struct scenario **sc, int nsc)
{
	int tried = 0, vacuous = 0, not_run = 0;

	for (int i = 0; i < nsc && !cell_stopped(); i++)
		for (int d = 0; d < o->ntargets && !cell_stopped(); d++) {
			const struct target *t = &o->targets[d];

			if (cell_applies(o, sc[i], t) &&
			    cell_outcome(o, workdir, sc[i], t) == OUTCOME_PASS)
				vacuous += mutate_one(o, workdir, sc[i], t, &tried, &not_run);
		}
	printf("vfs-scenario: mutate: %d expectations negated, %d vacuous", tried, vacuous);
	if (not_run)
		printf(" (%d server steps passed over: they need vfs-serve)", not_run);
	printf("\n");
	return vacuous;
}
