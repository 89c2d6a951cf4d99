/*
 * guest_kernels: which guest kernels the VM columns boot (--guest-kernel).
 * Each vhost-user column becomes one column per kernel, named "T@6.12",
 * booting build/guest/<kernel>/ unless --guest-image names one image. A
 * protocol scenario has no guest kernel in it: it runs in the first
 * kernel's column only.
 */
#ifndef VFS_SCENARIO_GUEST_KERNELS_H
#define VFS_SCENARIO_GUEST_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "target/target.h"

#define GUEST_KERNELS_MAX 2

struct options;

/* "6.1,6.12" into @o; 0, or -EINVAL having said why on stderr. */
int guest_kernels_parse(const char *list, struct options *o);

/* After the options: the VM columns, one per kernel. 0, or -EINVAL/-E2BIG having said why. */
int guest_kernels_expand(struct options *o);

/* The image directory @t's guest boots, into @buf. */
void guest_kernel_image(const struct options *o, const struct target *t, char *buf, size_t len);

/* Whether @t is a kernel's column other than the first (protocol scenarios: n/a there). */
bool guest_kernel_repeat(const struct options *o, const struct target *t);

#endif
