#!/bin/bash
# vfs-serve's command line: usage errors exit 2 naming what was wrong,
# runtime failures exit 1 with a message, and nothing is mounted by either.
. "$(dirname "$0")/lib.sh"
plan 69

S=$BIN/vfs-serve
src=$T_TMP/src
mnt=$T_TMP/mnt
mkdir -p "$src" "$mnt"

# exits CODE TEXT ARGS...: vfs-serve ARGS exits CODE saying TEXT on stderr.
exits() {
	local code=$1 text=$2 rc
	shift 2
	timeout 10 "$S" "$@" >/dev/null 2>"$T_TMP/err"
	rc=$?
	if [ $rc = "$code" ] && grep -q -- "$text" "$T_TMP/err" && ! mountpoint -q "$mnt"; then
		ok "exit $code, '$text': vfs-serve $*"
	else
		not_ok "exit $code, '$text': vfs-serve $*"
		echo "#   exit $rc: $(head -2 "$T_TMP/err")"
	fi
}

exits 2 "unknown option '--bogus'" --bogus "$src" "$mnt"
exits 2 "need SOURCE and MOUNTPOINT (got 1 argument)" "$src"
exits 2 "need SOURCE and MOUNTPOINT (got 0 arguments)"
exits 2 "need SOURCE and MOUNTPOINT (got 3 arguments)" "$src" "$mnt" extra
exits 2 "invalid value 'sometimes' for --inode-file-handles" --inode-file-handles=sometimes "$src" "$mnt"
exits 2 "invalid value 'v2' for --design" --design=v2 "$src" "$mnt"
exits 2 "invalid value '0' for --request-queues: want 1 to 6" --request-queues=0 --vhost-user=/tmp/x "$src"
exits 2 "invalid value '7' for --request-queues: want 1 to 6" --request-queues=7 --vhost-user=/tmp/x "$src"
exits 2 "invalid value 'root' for --mount-fd-source" --mount-fd-source=root "$src" "$mnt"
exits 2 "invalid value 'retry' for --no-mount-fd" --no-mount-fd=retry "$src" "$mnt"
exits 2 "invalid value '-1' for --retired-max" --retired-max=-1 "$src" "$mnt"
exits 2 "invalid value 'soon' for --entry-timeout" --entry-timeout=soon "$src" "$mnt"
exits 2 "invalid value '-3' for --attr-timeout" --attr-timeout=-3 "$src" "$mnt"
for v in nan NaN inf -inf infinity 1e999; do
	exits 2 "invalid value '$v' for --entry-timeout" --entry-timeout=$v "$src" "$mnt"
	exits 2 "invalid value '$v' for --attr-timeout" --attr-timeout=$v "$src" "$mnt"
done
exits 2 "contradicts" --inode-file-handles=mandatory --no-mount-fd=o-path "$src" "$mnt"
exits 2 "invalid value '0' for --control-idle-timeout" --control-idle-timeout=0 "$src" "$mnt"
exits 2 "invalid value 'nan' for --control-idle-timeout" --control-idle-timeout=nan "$src" "$mnt"
exits 2 "needs a value or is unknown" "$src" "$mnt" --design
exits 1 "cannot open source" "$T_TMP/nonexistent" "$mnt"
exits 1 "mountpoint $T_TMP/nope is not a directory" "$src" "$T_TMP/nope"
touch "$T_TMP/regular"
exits 1 "it exists and is not a socket" --control "$T_TMP/regular" "$src" "$mnt"
check "a file at the control path is left alone" [ -f "$T_TMP/regular" ]
exits 1 "cannot open log" --log "$T_TMP/nodir/log" "$src" "$mnt"

"$S" --help >"$T_TMP/help"
check "--help exits 0" [ $? = 0 ]
for flag in inode-file-handles design mount-fd-source no-mount-fd retired-max \
	entry-timeout attr-timeout log control single-thread background mount-over debug help \
	version; do
	check "--help lists --$flag" grep -q -- "--$flag" "$T_TMP/help"
done
check "--version names the tool" sh -c "'$S' --version | grep -q '^vfs-serve (vfskit)'"

# Without CAP_DAC_READ_SEARCH there are no usable handles.
nocap() { setpriv --inh-caps=-dac_read_search --bounding-set=-dac_read_search "$@"; }
nocap "$S" --inode-file-handles=mandatory "$src" "$mnt" 2>"$T_TMP/err"
rc=$?
check_eq "mandatory without CAP_DAC_READ_SEARCH exits 1" 1 "$rc"
check "... saying why" grep -q "mandatory needs CAP_DAC_READ_SEARCH" "$T_TMP/err"
check "... and mounts nothing" sh -c "! mountpoint -q '$mnt'"

echo x >"$src/f"
nocap "$S" --inode-file-handles=prefer --control "$mnt.ctl" "$src" "$mnt" 2>"$T_TMP/err" &
SERVE_PID=$!
T_PIDS+=("$SERVE_PID")
T_MOUNTS+=("$mnt")
retry 200 mountpoint -q "$mnt"
cat "$mnt/f" >/dev/null
check_eq "prefer without CAP_DAC_READ_SEARCH warns once" 1 \
	"$(grep -c "no CAP_DAC_READ_SEARCH: --inode-file-handles=prefer runs as never" "$T_TMP/err")"
check "... and runs as never (O_PATH fds, no handles)" \
	sh -c "ctl() { '$HELPERS/vfs-ctl' '$mnt.ctl' \"\$@\"; }; ctl 'dump ino=$(stat -c %i "$src/f")' | grep -q 'handle=- fd=yes'"
check "clean unmount" unserve "$mnt"

# --background: the exit status says whether it serves; what it serves
# works (the fds it uses are the serving process's own), and a relative
# --control path is where the caller meant, not under /.
(cd "$T_TMP" && exec "$S" --background --control rel.ctl src mnt) 2>"$T_TMP/err"
check_eq "--background exits 0 once it serves" 0 $?
T_MOUNTS+=("$mnt")
bgpid=$(pgrep -f "^$S --background --control rel.ctl src mnt$")
[ -n "$bgpid" ] && T_PIDS+=("$bgpid")
check "... mounted when it returns" mountpoint -q "$mnt"
check_eq "... and its files read through the mount" x "$(cat "$mnt/f" 2>&1)"
check "... the relative control path is in the caller's directory" test -S "$T_TMP/rel.ctl"
check "... and answers" sh -c "'$HELPERS/vfs-ctl' '$T_TMP/rel.ctl' counters | grep -q '^lookups '"
timeout 10 "$S" "$src" "$mnt" 2>"$T_TMP/err"
check_eq "a mountpoint that is a mount already: exit 1" 1 $?
check "... saying so" grep -q "$mnt is already a mount point: unmount it first, or pass --mount-over" \
	"$T_TMP/err"
check "... and the first mount still serves" test "$(cat "$mnt/f" 2>&1)" = x
mkdir -p "$T_TMP/src2" && echo over >"$T_TMP/src2/f"
"$S" --mount-over "$T_TMP/src2" "$mnt" 2>>"$T_TMP/err" &
T_PIDS+=("$!")
retry 200 sh -c "test \"\$(cat '$mnt/f' 2>/dev/null)\" = over"
check "--mount-over stacks a second mount on top" test "$(cat "$mnt/f" 2>&1)" = over
fusermount3 -u "$mnt" && fusermount3 -u "$mnt"
retry 200 sh -c "! kill -0 $bgpid 2>/dev/null"
check "--background: the daemon ends at unmount" sh -c "! kill -0 $bgpid 2>/dev/null"
check "... removing its control socket" test ! -e "$T_TMP/rel.ctl"
exits 1 "cannot open source" --background "$T_TMP/nonexistent" "$mnt"
finish
