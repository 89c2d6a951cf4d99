#!/bin/bash
# vfs-serve stops cleanly: SIGINT and SIGTERM unmount and exit 0, an
# unmount from outside ends it with 0, --background returns once mounted.
. "$(dirname "$0")/lib.sh"
plan 10

src=$T_TMP/src
mnt=$T_TMP/mnt
mkdir -p "$src"
for sig in INT TERM; do
	serve "$src" "$mnt" || exit 1
	kill -s $sig "$SERVE_PID"
	wait "$SERVE_PID"
	check_eq "SIG$sig: exit status 0" 0 $?
	check "SIG$sig: unmounted" sh -c "! mountpoint -q '$mnt'"
	check "SIG$sig: control socket removed" [ ! -e "$mnt.ctl" ]
done
serve "$src" "$mnt" || exit 1
check "an unmount from outside ends the server with 0" unserve "$mnt"

"$BIN/vfs-serve" --background "$src" "$mnt"
check_eq "--background returns 0" 0 $?
T_MOUNTS+=("$mnt")
check "--background: mounted when it returns" mountpoint -q "$mnt"
pid=$(pgrep -f "vfs-serve --background $src")
fusermount3 -u "$mnt"
check "--background: the daemon exits after unmount" retry 200 sh -c "! kill -0 $pid 2>/dev/null"
finish
