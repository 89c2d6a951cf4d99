#!/bin/bash
# A guest user who may create in a directory only through a supplementary
# group can do so through vfs-serve, as on the host: the server passes the
# caller's groups on creating calls, on its own thread only, and its own
# groups stay as they were.
. "$(dirname "$0")/lib.sh"
plan 12

USER_ID=${VFSKIT_TEST_UID:-65534}
GROUP_ID=4242
as_member() { setpriv --reuid "$USER_ID" --regid "$USER_ID" --groups "$GROUP_ID" "$@"; }
as_outsider() { setpriv --reuid "$USER_ID" --regid "$USER_ID" --clear-groups "$@"; }

src=$T_TMP/src
mnt=$T_TMP/mnt
make_tmpfs "$src" || { not_ok "tmpfs fixture"; finish; exit 1; }
mkdir "$src/g" && chown "0:$GROUP_ID" "$src/g" && chmod 0770 "$src/g"
# The premise, on the host itself: the group is what lets the user in.
as_member touch "$src/g/native"
check "premise: on the host the member may create in g" test -e "$src/g/native"
as_outsider touch "$src/g/native2" 2>/dev/null
check "premise: on the host a non-member may not" test ! -e "$src/g/native2"

serve "$src" "$mnt" --inode-file-handles=prefer || { not_ok "mount"; finish; exit 1; }
before=$(grep '^Groups:' "/proc/$SERVE_PID/status")
check "create through the mount, allowed by a supplementary group" as_member touch "$mnt/g/f"
check_eq "... the file is the caller's" "$USER_ID:$USER_ID" "$(stat -c %u:%g "$src/g/f" 2>&1)"
check "mkdir through the mount, allowed by a supplementary group" as_member mkdir "$mnt/g/d"
check "mkfifo through the mount, allowed by a supplementary group" as_member mkfifo "$mnt/g/p"
check "symlink through the mount, allowed by a supplementary group" as_member ln -s f "$mnt/g/l"
check "link through the mount, allowed by a supplementary group" as_member ln "$mnt/g/f" "$mnt/g/f2"
as_outsider touch "$mnt/g/x" 2>"$T_TMP/err"
check "a caller without the group is still refused" grep -q "Permission denied" "$T_TMP/err"
check_eq "the server's own groups are unchanged" "$before" "$(grep '^Groups:' "/proc/$SERVE_PID/status")"
check "invariants hold" invariants "$mnt"
check "clean unmount" unserve "$mnt"
finish
