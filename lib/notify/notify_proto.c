/* notify_proto: the record is little-endian (virtio 1.x), host order here. */
#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <linux/fuse.h>

#include "notify/notify_proto.h"
#include "util/enum_name.h"

static const char *const policy_names[] = {
	[NOTIFY_SPLIT] = "split", [NOTIFY_ATOMIC] = "atomic", [NOTIFY_RESERVE] = "reserve", NULL,
};

static const char *const backend_names[] = {
	[NOTIFY_BACKEND_AUTO] = "auto", [NOTIFY_BACKEND_FANOTIFY] = "fanotify",
	[NOTIFY_BACKEND_INOTIFY] = "inotify", [NOTIFY_BACKEND_FANOTIFY_FS] = "fanotify-fs", NULL,
};

int notify_policy_parse(const char *s, enum notify_policy *p)
{
	int v, err = enum_parse(policy_names, s, &v);

	if (!err)
		*p = (enum notify_policy)v;
	return err;
}

const char *notify_policy_name(enum notify_policy p)
{
	return enum_name(policy_names, p);
}

int notify_backend_parse(const char *s, enum notify_backend *b)
{
	int v, err = enum_parse(backend_names, s, &v);

	if (!err)
		*b = (enum notify_backend)v;
	return err;
}

const char *notify_backend_name(enum notify_backend b)
{
	return enum_name(backend_names, b);
}

size_t notify_encode(void *buf, size_t len, const struct vfskit_event *ev, const char *name)
{
	struct fuse_out_header o = { .error = VFSKIT_NOTIFY_EVENT };
	struct vfskit_event e = *ev;
	size_t n = strlen(name), total = sizeof(o) + sizeof(e) + n;

	if (n > 255 || total > len)
		return 0;
	o.len = (uint32_t)total;
	e.version = VFSKIT_NOTIFY_VERSION;
	e.namelen = (uint32_t)n;
	memcpy(buf, &o, sizeof(o));
	memcpy((char *)buf + sizeof(o), &e, sizeof(e));
	memcpy((char *)buf + sizeof(o) + sizeof(e), name, n);
	return total;
}

int notify_decode(const void *buf, size_t len, struct vfskit_event *ev, char *name)
{
	struct fuse_out_header o;

	if (len < sizeof(o) + sizeof(*ev))
		return -EPROTO;
	memcpy(&o, buf, sizeof(o));
	memcpy(ev, (const char *)buf + sizeof(o), sizeof(*ev));
	if (o.unique || o.error != VFSKIT_NOTIFY_EVENT || ev->version != VFSKIT_NOTIFY_VERSION ||
	    ev->namelen > 255 || o.len != sizeof(o) + sizeof(*ev) + ev->namelen || o.len > len)
		return -EPROTO;
	memcpy(name, (const char *)buf + sizeof(o) + sizeof(*ev), ev->namelen);
	name[ev->namelen] = '\0';
	return 0;
}

const char *notify_mask_name(uint32_t mask)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ IN_CREATE, "CREATE" }, { IN_DELETE, "DELETE" }, { IN_MOVED_FROM, "MOVED_FROM" },
		{ IN_MOVED_TO, "MOVED_TO" }, { IN_MODIFY, "MODIFY" }, { IN_ATTRIB, "ATTRIB" },
		{ IN_DELETE_SELF, "DELETE_SELF" }, { IN_MOVE_SELF, "MOVE_SELF" },
		{ IN_Q_OVERFLOW, "OVERFLOW" }, { IN_IGNORED, "IGNORED" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (mask & names[i].bit)
			return names[i].name;
	return "?";
}
