/* caps: see caps.h. capset(2) directly: two calls do not need libcap. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

#define BIT(c) (UINT64_C(1) << (c))

static const char *const cap_names[] = {
	[CAP_CHOWN] = "chown", [CAP_DAC_OVERRIDE] = "dac_override",
	[CAP_DAC_READ_SEARCH] = "dac_read_search", [CAP_FOWNER] = "fowner",
	[CAP_FSETID] = "fsetid", [CAP_SETGID] = "setgid", [CAP_SETUID] = "setuid",
	[CAP_MKNOD] = "mknod", [CAP_SETFCAP] = "setfcap", [CAP_SYS_ADMIN] = "sys_admin",
};

uint64_t caps_needed(bool handles, bool fanotify, bool fanotify_fs)
{
	uint64_t keep = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FOWNER) |
			BIT(CAP_FSETID) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
			BIT(CAP_MKNOD) | BIT(CAP_SETFCAP);

	/* open_by_handle_at: the server's handles, and the ones fanotify reports. */
	if (handles || fanotify)
		keep |= BIT(CAP_DAC_READ_SEARCH);
	if (fanotify_fs)
		keep |= BIT(CAP_SYS_ADMIN);
	return keep;
}

void caps_print(FILE *f, uint64_t keep, const char *sep, const char *quote)
{
	const char *s = "";

	for (unsigned c = 0; c < sizeof(cap_names) / sizeof(cap_names[0]); c++)
		if (keep & BIT(c) && cap_names[c]) {
			fprintf(f, "%s%s%s%s", s, quote, cap_names[c], quote);
			s = sep;
		}
}

int caps_drop_except(uint64_t keep, struct errbuf *why)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
	for (int c = 0; c < 64 && prctl(PR_CAPBSET_READ, c) >= 0; c++)
		if (!(keep & BIT(c)) && prctl(PR_CAPBSET_DROP, c) < 0)
			return errbuf_set(why, -errno, "sandbox: cannot drop capability %d "
					  "from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return errbuf_set(why, -errno, "sandbox: cannot clear the ambient capabilities");
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return errbuf_set(why, -errno, "sandbox: cannot drop capabilities");
	return 0;
}
