#!/bin/bash
# vfs-trace: each failure it is for shows up live, as JSON with its fields:
# ESTALE (a stale handle after unlink and recreate on ext4), EOVERFLOW
# (handle buffer too small), EOPNOTSUPP, EBADF, a FUSE request error
# through a vfs-serve mount, and a USDT event from vfs-serve when a fault
# point fires. Events are filtered by the workload's own pid: other
# processes here call open_by_handle_at too.
. "$(dirname "$0")/lib.sh"
plan 34

TR=$BIN/vfs-trace
WL=$HELPERS/trace_workload

# start_trace OUT ARGS...: vfs-trace in the background, attached when it returns.
start_trace() {
	local out=$1
	shift
	# Emptied first: a "Tracing" line of an earlier run into the same file
	# must not pass for this one's, or SIGINT comes while the shell still
	# has it ignored for this background job, and is lost.
	: >"$out.err"
	"$TR" "$@" >"$out" 2>>"$out.err" &
	TPID=$!
	T_PIDS+=("$TPID")
	if ! retry 400 grep -q "^Tracing" "$out.err"; then
		if grep -q "cannot load\|cannot attach" "$out.err" && [ "${CI:-}" != true ]; then
			skip_all "BPF refused here: $(head -1 "$out.err")"
		fi
		echo "# vfs-trace did not start: $(cat "$out.err")"
		return 1
	fi
}

stop_trace() {
	kill -INT "$TPID"
	wait "$TPID"
}

# event OUT FILTER: the first JSON line with all of FILTER's "key":value pairs.
has() {
	local out=$1
	shift
	local line
	line=$(grep -F "$1" "$out" | head -1)
	shift
	for kv in "$@"; do
		[[ $line == *"$kv"* ]] || return 1
	done
	[ -n "$line" ]
}

# tracefs: a freshly booted machine has it unmounted. vfs-trace mounts it
# for itself alone, leaving the mount table it was started in as it was;
# where it cannot mount it, one line says what to run.
unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
	'$TR' -d 1 >/dev/null 2>'$T_TMP/tfs.err'; echo \$? >'$T_TMP/tfs.rc'
	grep -c ' tracefs ' /proc/self/mounts >'$T_TMP/tfs.n'"
check_eq "without tracefs mounted vfs-trace runs" 0 "$(cat "$T_TMP/tfs.rc")"
check "... and attaches" grep -q "^Tracing" "$T_TMP/tfs.err"
check_eq "... leaving no tracefs mount behind it" 0 "$(cat "$T_TMP/tfs.n")"
unshare -m sh -c "umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null
	exec setpriv --inh-caps=-all,+bpf,+perfmon --ambient-caps=-all,+bpf,+perfmon \
		--bounding-set=-all,+bpf,+perfmon '$TR' -d 1" 2>"$T_TMP/tfs.err"
check_eq "without tracefs and without CAP_SYS_ADMIN it exits 1" 1 $?
check "... saying how to mount tracefs" grep -q "mount -t tracefs nodev /sys/kernel/tracing" "$T_TMP/tfs.err"

ext=$T_TMP/ext
make_ext4 "$ext" 32 || { not_ok "make ext4 fixture"; finish; exit 1; }
echo old >"$ext/f"
H=$("$HELPERS/handle_probe" get "$ext/f")
rm "$ext/f"
echo new >"$ext/g"
src=$T_TMP/src
mnt=$T_TMP/mnt
mkdir -p "$src"
serve "$src" "$mnt" --inode-file-handles=prefer || exit 1

mkfifo "$T_TMP/go"
"$WL" "name:/proc/self/status" "overflow:$ext/g" "open:$ext:$H" "badfd:$H" \
	"stat:$mnt/missing" "name:$ext/g" <"$T_TMP/go" >"$T_TMP/wl.out" &
wpid=$!
start_trace "$T_TMP/ev" -j -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
sed 's/^/# /' "$T_TMP/ev"
J='"pid":'$wpid',"tid":'$wpid',"comm":"trace_workload"'
check "EOPNOTSUPP: name_to_handle_at on /proc" has "$T_TMP/ev" '"event":"name_to_handle_at"' "$J" \
	'"ret":-95,"errno":"EOPNOTSUPP"' '"name":"/proc/self/status"'
check "EOVERFLOW: buffer too small, with the size the kernel wants" has "$T_TMP/ev" '"errno":"EOVERFLOW"' \
	'"event":"name_to_handle_at"' "$J" '"ret":-75' '"handle_bytes":8'
check "ESTALE: stale handle after unlink and recreate on ext4" has "$T_TMP/ev" '"errno":"ESTALE"' \
	'"event":"open_by_handle_at"' "$J" '"ret":-116' '"handle_type":1' '"handle_bytes":8'
check "EBADF: open_by_handle_at without a mount fd" has "$T_TMP/ev" '"errno":"EBADF"' \
	'"event":"open_by_handle_at"' "$J" '"mount_fd":-1'
check "a FUSE request error through vfs-serve, requester and daemon named" has "$T_TMP/ev" \
	'"event":"FUSE_LOOKUP"' '"errno":"ENOENT"' '"nodeid":1' "\"requester_pid\":$wpid" \
	"\"daemon_pid\":$SERVE_PID"
check "failed only by default: the successful call is not there" \
	sh -c "! grep -q '\"errno\":null' '$T_TMP/ev'"
check "nothing from other processes" sh -c "! grep -v '\"pid\":$wpid' '$T_TMP/ev' | grep -v 'FUSE_' | grep -q ."

# -a: successes too; -e: one errno only.
"$WL" "name:$ext/g" "name:/proc/self/status" <"$T_TMP/go" >/dev/null &
wpid=$!
start_trace "$T_TMP/ev2" -j -a -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
check "-a shows the successful call, errno null and its mount id" has "$T_TMP/ev2" \
	'"errno":null' '"name":"'"$ext/g"'"' '"mount_id":'
"$WL" "name:/proc/self/status" "badfd:$H" <"$T_TMP/go" >/dev/null &
wpid=$!
start_trace "$T_TMP/ev3" -j -e EBADF -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
check "-e EBADF: only EBADF" has "$T_TMP/ev3" '"errno":"EBADF"'
check "-e EBADF: not EOPNOTSUPP" sh -c "! grep -q EOPNOTSUPP '$T_TMP/ev3'"

# -m: FUSE requests of that mount only.
for where in "$mnt" "$ext"; do
	"$WL" "stat:$mnt/missing-m" <"$T_TMP/go" >/dev/null &
	wpid=$!
	start_trace "$T_TMP/ev-m" -j -m "$where" -p "$wpid" || exit 1
	echo go >"$T_TMP/go"
	wait $wpid
	stop_trace
	if [ "$where" = "$mnt" ]; then
		check "-m on the FUSE mount keeps its request errors" grep -q FUSE_LOOKUP "$T_TMP/ev-m"
	else
		check "-m on another mount drops them" sh -c "! grep -q FUSE_LOOKUP '$T_TMP/ev-m'"
	fi
done

# The fallback that pairs fuse_request_send and _end.
"$WL" "stat:$mnt/missing2" <"$T_TMP/go" >/dev/null &
wpid=$!
start_trace "$T_TMP/ev4" -j --fuse-pairing -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
check "--fuse-pairing joins send and end: LOOKUP, ENOENT, requester" has "$T_TMP/ev4" \
	'"event":"FUSE_LOOKUP"' '"errno":"ENOENT"' "\"requester_pid\":$wpid"

# USDT: vfs-serve's own decision when a fault point fires.
start_trace "$T_TMP/ev5" -j -p "$SERVE_PID" || exit 1
ctl "$mnt" "fault arm handle_generate EIO" >/dev/null
echo x >"$src/u"
stat "$mnt/u" >/dev/null 2>&1
ctl "$mnt" "fault clear all" >/dev/null
retry 100 grep -q "handle_failed" "$T_TMP/ev5"
stop_trace
sed 's/^/# /' "$T_TMP/ev5"
check "a USDT event from vfs-serve: handle_failed with EIO" has "$T_TMP/ev5" \
	'"event":"vfskit:handle_failed"' '"errno":"EIO"' "\"pid\":$SERVE_PID" \
	"\"ino\":$(stat -c %i "$src/u")"

# -s: a summary by comm, operation and errno, and latency per operation
# (entry hooks attached only then).
"$WL" "name:/proc/self/status" "name:/proc/self/status" "badfd:$H" <"$T_TMP/go" >/dev/null &
wpid=$!
start_trace "$T_TMP/ev7" -s -j -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
check "-s counts by comm, operation and errno" \
	grep -Eq "^trace_workload +name_to_handle_at +EOPNOTSUPP +2$" "$T_TMP/ev7"
check "-s: a latency histogram per operation" grep -q "^latency of open_by_handle_at" "$T_TMP/ev7"
check "-s: events carry their latency" grep -q '"latency_ns":[1-9]' "$T_TMP/ev7"

# Human output, and refusals.
"$WL" "name:/proc/self/status" <"$T_TMP/go" >/dev/null &
wpid=$!
start_trace "$T_TMP/ev6" -T -p "$wpid" || exit 1
echo go >"$T_TMP/go"
wait $wpid
stop_trace
check "the table has its header" grep -q "^TIME(s)   PID     TID     COMM            OPERATION" "$T_TMP/ev6"
check "... and the event's line" grep -Eq "trace_workload +name_to_handle_at +EOPNOTSUPP +dirfd=-100 name=/proc/self/status" "$T_TMP/ev6"
"$TR" -e EBOGUS 2>"$T_TMP/err"
check_eq "a bad errno exits 2" 2 $?
check "... naming it" grep -q "invalid value 'EBOGUS' for -e" "$T_TMP/err"
"$TR" -p 0 2>/dev/null
check_eq "a bad pid exits 2" 2 $?
"$TR" --ring 3 2>"$T_TMP/err"
check_eq "a ring size that is no power of two exits 2" 2 $?
check "... naming it" grep -q "invalid value '3' for --ring" "$T_TMP/err"
"$TR" --bogus 2>/dev/null
check_eq "an unknown option exits 2" 2 $?
nocap() { setpriv --inh-caps=-all --bounding-set=-all "$@"; }
nocap "$TR" -d 1 2>"$T_TMP/err"
check_eq "without privileges it exits 1" 1 $?
check "... saying which capabilities it needs" grep -q "CAP_BPF and CAP_PERFMON" "$T_TMP/err"
check "... without libbpf's ulimit hint" sh -c "! grep -qi ulimit '$T_TMP/err'"
check "clean unmount" unserve "$mnt"
finish
