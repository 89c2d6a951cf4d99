/* guest_kernels: --guest-kernel, and the columns it makes (guest_kernels.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest_kernels.h"
#include "options.h"

/* The kernels fixtures/guest/fetch.sh makes images of: Debian 12's and Debian 13's. */
static const char *const known[] = { "6.1", "6.12" };

int guest_kernels_parse(const char *list, struct options *o)
{
	char copy[64], *save = NULL;

	o->nkernels = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		const char *k = NULL;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(w, known[i]))
				k = known[i];
		for (int i = 0; k && i < o->nkernels; i++)
			if (o->kernels[i] == k)
				k = NULL;
		if (!k || o->nkernels == GUEST_KERNELS_MAX) {
			fprintf(stderr, "vfs-scenario: invalid value '%s' for --guest-kernel: want "
				"6.1, 6.12 or 6.1,6.12 (each once)\n", list);
			return -EINVAL;
		}
		o->kernels[o->nkernels++] = k;
	}
	if (!o->nkernels) {
		fprintf(stderr, "vfs-scenario: --guest-kernel names no kernel\n");
		return -EINVAL;
	}
	o->kernels_set = true;
	return 0;
}

static bool vm_column(const struct options *o, const struct target *t)
{
	return t->base->kind == TARGET_VHOST_USER ||
	       (t->base->kind == TARGET_FOREIGN && o->paths.vhost_cmd);
}

int guest_kernels_expand(struct options *o)
{
	struct target out[MAX_TARGETS];
	int n = 0;

	if (!o->nkernels)
		o->kernels[o->nkernels++] = known[0];
	if (o->kernels_set && !o->guest_vm) {
		fprintf(stderr, "vfs-scenario: --guest-kernel is for --guest=vm\n");
		return -EINVAL;
	}
	if (o->image_set && o->nkernels > 1) {
		fprintf(stderr, "vfs-scenario: --guest-image is one image: one --guest-kernel with it\n");
		return -EINVAL;
	}
	if (!o->guest_vm)
		return 0;
	for (int i = 0; i < o->ntargets; i++) {
		for (int k = 0; k < (vm_column(o, &o->targets[i]) ? o->nkernels : 1); k++) {
			if (n == MAX_TARGETS) {
				fprintf(stderr, "vfs-scenario: more than %d columns\n", MAX_TARGETS);
				return -E2BIG;
			}
			out[n] = o->targets[i];
			if (vm_column(o, &out[n])) {
				size_t len = strlen(out[n].name);

				out[n].guest_kernel = o->kernels[k];
				snprintf(out[n].name + len, sizeof(out[n].name) - len, "@%s", o->kernels[k]);
			}
			n++;
		}
	}
	memcpy(o->targets, out, sizeof(out[0]) * (size_t)n);
	o->ntargets = n;
	return 0;
}

void guest_kernel_image(const struct options *o, const struct target *t, char *buf, size_t len)
{
	if (o->image_set || !t->guest_kernel)
		snprintf(buf, len, "%s", o->loc.guest_image);
	else
		snprintf(buf, len, "%s/%s", o->loc.guest_image, t->guest_kernel);
}

bool guest_kernel_repeat(const struct options *o, const struct target *t)
{
	return t->guest_kernel && o->nkernels > 1 && t->guest_kernel != o->kernels[0];
}
