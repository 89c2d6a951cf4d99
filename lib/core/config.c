/* config: defaults and words; the tables are indexed by the enums. */
#include <string.h>

#include "core/config.h"
#include "util/enum_name.h"

static const char *const design_names[] = { "ids-only", "v3", "fixed", NULL };
static const char *const policy_names[] = { "never", "prefer", "mandatory", NULL };
static const char *const source_names[] = { "first-openable", "mountinfo", NULL };
static const char *const no_mount_fd_names[] = { "fail", "o-path", "lookup-only", NULL };

void passthrough_config_defaults(struct passthrough_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->design = DESIGN_FIXED;
	cfg->handles = HANDLES_NEVER;
	cfg->mount_fd_source = MOUNT_FD_MOUNTINFO;
	cfg->no_mount_fd = NO_MOUNT_FD_OPATH;
	cfg->retired_max = 65536;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
}

/* enum_parse writes an int: the enums are ints, but not to the compiler. */
#define PARSE(table, s, out)                                                 \
	do {                                                                 \
		int v, err = enum_parse(table, s, &v);                       \
		if (!err)                                                    \
			*(out) = v;                                          \
		return err;                                                  \
	} while (0)

const char *design_name(enum design d) { return enum_name(design_names, d); }
const char *handle_policy_name(enum handle_policy p) { return enum_name(policy_names, p); }
const char *mount_fd_source_name(enum mount_fd_source s) { return enum_name(source_names, s); }
const char *no_mount_fd_name(enum no_mount_fd p) { return enum_name(no_mount_fd_names, p); }

int design_parse(const char *s, enum design *d) { PARSE(design_names, s, d); }
int handle_policy_parse(const char *s, enum handle_policy *p) { PARSE(policy_names, s, p); }
int mount_fd_source_parse(const char *s, enum mount_fd_source *o) { PARSE(source_names, s, o); }
int no_mount_fd_parse(const char *s, enum no_mount_fd *p) { PARSE(no_mount_fd_names, s, p); }
