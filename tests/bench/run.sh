#!/bin/bash
# make bench: vfs-serve's costs beside baselines measured in the same run
# on the same trees: the native directory, libfuse's passthrough_ll (same
# timeouts, cache=normal, default_permissions as vfs-serve has) and a do-nothing server answering from memory
# (the floor of any FUSE server on this kernel). Figures are seconds and
# ratios, never pass/fail thresholds; the summary says how the targets
# of the core issue stand.
T_NAME=bench
. "$(dirname "$0")/../integration/lib.sh"

W=$TOP/$BUILD/bench/workload
NULL=$TOP/$BUILD/bench/null_server
PLL=$TOP/$BUILD/bench/passthrough_ll
TARGETS=${BENCH_TARGETS:-"native null pll never prefer"}
declare -A R   # R[workload,target] = "ok SECONDS COUNT" | "fail ERRNO COUNT"
declare -A EXTRA

src=$T_TMP/src
mnt=$T_TMP/mnt
make_tmpfs "$src" || exit 1
mount -o remount,size=2G "$src"
mkdir -p "$mnt"

# start TARGET TREE DIRS FILES SIZE TIMEOUT [NOFILE]: mounts TARGET serving
# $src/TREE (null: a synthetic tree of the same shape) on $mnt.
start() {
	local t=$1 tree=$2 dirs=$3 files=$4 size=$5 to=$6 nofile=${7:-}
	local lim=${nofile:+ulimit -Sn $nofile;}
	case $t in
	native) MNTDIR=$src/$tree; SPID=; return 0 ;;
	null) bash -c "$lim exec '$NULL' $dirs $files $size $to '$mnt'" & ;;
	# default_permissions as vfs-serve has: the same permission checks.
	pll) bash -c "$lim exec '$PLL' -f -o default_permissions,source='$src/$tree',timeout=$to,allow_other '$mnt'" 2>/dev/null & ;;
	never | prefer) bash -c "$lim exec '$BIN/vfs-serve' --inode-file-handles=$t \
		--entry-timeout=$to --attr-timeout=$to --control '$mnt.ctl' '$src/$tree' '$mnt'" & ;;
	# prefer with --state kept on the disk the tests run on (not the tmpfs tree).
	state) bash -c "$lim exec '$BIN/vfs-serve' --inode-file-handles=prefer --state='$STATE' \
		--entry-timeout=$to --attr-timeout=$to --control '$mnt.ctl' '$src/$tree' '$mnt'" & ;;
	esac
	SPID=$!
	T_PIDS+=("$SPID")
	T_MOUNTS+=("$mnt")
	MNTDIR=$mnt
	retry 200 mountpoint -q "$mnt"
}

stop() {
	[ -n "$SPID" ] || return 0
	if ! fusermount3 -u "$mnt" 2>"$T_TMP/umount.err"; then
		echo "# unmount failed: $(cat "$T_TMP/umount.err"); detaching" >&2
		umount -l "$mnt"
	fi
	wait "$SPID" 2>/dev/null
	SPID=
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
nfds() { ls "/proc/$1/fd" | wc -l; }

echo "# making trees on tmpfs: 10k, 100k (empty files), 10k x 4 KiB"
mkdir -p "$src/t10k" "$src/t100k" "$src/r10k" "$src/cu"
"$W" mktree "$src/t10k" 10 1000 0 >/dev/null
"$W" mktree "$src/t100k" 100 1000 0 >/dev/null
"$W" mktree "$src/r10k" 10 1000 4096 >/dev/null

for t in $TARGETS; do
	start $t t10k 10 1000 0 1.0 && drop_caches
	R[walk10k,$t]=$("$W" walk "$MNTDIR")
	stop

	start $t t100k 100 1000 0 1.0 && drop_caches
	[ -n "$SPID" ] && rss0=$(rss_kb "$SPID")
	R[walk100k,$t]=$("$W" walk "$MNTDIR")
	if [ -n "$SPID" ]; then
		n=$(echo "${R[walk100k,$t]}" | awk '{ print $3 }')
		EXTRA[fds,$t]=$(nfds "$SPID")
		EXTRA[rss,$t]=$(( ($(rss_kb "$SPID") - rss0) * 1024 / (n > 0 ? n : 1) ))
	fi
	stop

	for n in 10 20; do
		rm -rf "${src:?}/cu" && mkdir "$src/cu"
		start $t cu 1 1 0 1.0
		R[create${n}k,$t]=$("$W" createunlink "$MNTDIR" ${n}000)
		stop
	done

	start $t r10k 10 1000 4096 1.0 && drop_caches
	R[read10k,$t]=$("$W" read "$MNTDIR")
	stop

	# Per request: lstat of the mount's root with timeouts 0: one GETATTR each.
	# Best of three rounds: scheduling noise only ever adds time.
	start $t t10k 10 1000 0 0
	for round in 1 2 3; do
		r=$("$W" statloop "$MNTDIR" 50000)
		best=${R[getattr,$t]:-"ok 1e9 0"}
		if [ "${r%% *}" = ok ] && awk -v a="$(echo $r | cut -d' ' -f2)" \
			-v b="$(echo $best | cut -d' ' -f2)" 'BEGIN { exit !(a < b) }'; then
			R[getattr,$t]=$r
		fi
	done
	stop
done

# fig WORKLOAD TARGET: seconds, or what failed.
fig() {
	set -- ${R[$1,$2]:-"fail ? 0"}
	if [ "$1" = ok ]; then printf '%.3f' "$2"; else echo "$2@$3"; fi
}
secs() { set -- ${R[$1,$2]:-x}; [ "$1" = ok ] && echo "$2"; }

echo
echo "SECONDS (lower is better; ERRNO@N: failed after N entries)"
printf '%-12s' WORKLOAD; for t in $TARGETS; do printf ' %11s' "$t"; done; echo
for w in walk10k walk100k create10k create20k read10k getattr; do
	printf '%-12s' "$w"; for t in $TARGETS; do printf ' %11s' "$(fig $w $t)"; done; echo
done
echo
echo "RATIOS (vfs-serve time / baseline time; below 1 is faster)"
printf '%-12s%14s%14s%14s%14s\n' WORKLOAD never/pll prefer/pll never/null prefer/null
for w in walk10k walk100k create10k create20k read10k getattr; do
	printf '%-12s' "$w"
	for pair in never:pll prefer:pll never:null prefer:null; do
		a=$(secs $w ${pair%%:*}) b=$(secs $w ${pair##*:})
		if [ -n "$a" ] && [ -n "$b" ]; then
			printf '%14s' "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
		else
			printf '%14s' "-"
		fi
	done
	echo
done
echo
echo "PER REQUEST (GETATTR, best of 3 x 50k, microseconds; difference to the do-nothing server)"
for t in null pll never prefer; do
	s=$(secs getattr $t)
	[ -n "$s" ] && printf '%-8s %8.2f us  (%+.2f us)\n' $t "$(awk -v s="$s" 'BEGIN { print s * 20 }')" \
		"$(awk -v s="$s" -v n="$(secs getattr null)" 'BEGIN { print (s - n) * 20 }')"
done
echo
echo "AFTER THE 100k WALK (server process)"
printf '%-8s %10s %18s\n' SERVER "FDS HELD" "RSS BYTES/INODE"
for t in null pll never prefer; do
	printf '%-8s %10s %18s\n' $t "${EXTRA[fds,$t]:--}" "${EXTRA[rss,$t]:--}"
done

echo
echo "--STATE (prefer, 100k-file tree, median of 3 runs, each on a new server; --state on $(df --output=fstype "$T_TMP" | tail -1)):"
echo "a cold walk (a LOOKUP and a new nodeid per file: one record appended each), the FORGETs of"
echo "a cache drop (the kernel's 100k FORGETs, until the server holds only the root), a restart"
echo "with the state the walk left (start to mounted, all nodeids restored)"
mkdir -p "$T_TMP/statedir"
STATE=$T_TMP/statedir/state
median3() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "nan") }'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'; }
only_root() { [ "$(counter "$mnt" inodes_live)" = 1 ]; }
declare -A ST
for t in prefer state prefer state prefer state; do
	rm -f "$STATE"
	start $t t100k 100 1000 0 1.0 && drop_caches
	w=$("$W" walk "$MNTDIR" | awk '$1 == "ok" { print $2 }')
	t0=$(now)
	drop_caches
	while ! only_root; do :; done
	f=$(since "$t0")
	if [ $t = state ]; then
		ST[records]=$(counter "$mnt" state_records) ST[syncs]=$(counter "$mnt" state_syncs)
		ST[rewrites]=$(counter "$mnt" state_rewrites)
	fi
	stop
	ST[walk,$t]+="$w " ST[forget,$t]+="$f "
	if [ $t = state ]; then
		ST[bytes]=$(stat -c %s "$STATE")
		t0=$(now)
		start state t100k 100 1000 0 1.0
		ST[restart]+="$(since "$t0") "
		ST[restored]=$(counter "$mnt" state_restored)
		stop
		t0=$(now)
		start prefer t100k 100 1000 0 1.0
		ST[start]+="$(since "$t0") "
		stop
	fi
done
m() { tr ' ' '\n' <<<"${ST[$1]}" | grep . | median3; }
printf '%-10s %12s %12s %8s\n' "" PREFER "WITH --STATE" RATIO
for w in walk forget; do
	a=$(m $w,prefer) b=$(m $w,state)
	printf '%-10s %12s %12s %8s\n' "$w (s)" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
a=$(m start) b=$(m restart)
printf '%-10s %12s %12s %8s\n' "start (s)" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
w1=$(m walk,prefer) w2=$(m walk,state)
printf 'per LOOKUP: %+.2f us with --state; per FORGET: %+.2f us; %s records, %s fsyncs, %s rewrites in the walk;\n' \
	"$(awk -v a="$w1" -v b="$w2" 'BEGIN { print (b - a) / 100000 * 1e6 }')" \
	"$(awk -v a="$(m forget,prefer)" -v b="$(m forget,state)" 'BEGIN { print (b - a) / 100000 * 1e6 }')" \
	"${ST[records]}" "${ST[syncs]}" "${ST[rewrites]}"
printf '%s bytes on disk after the stop (%s per nodeid kept: --retired-max, 65536 by default, bounds them),\n' \
	"${ST[bytes]}" "$(( ST[bytes] / (ST[restored] > 0 ? ST[restored] : 1) ))"
printf '%s nodeids restored at the restart\n' "${ST[restored]}"

echo
echo "SOFT RLIMIT_NOFILE 1024"
mkdir -p "$src/t200k" "$src/t50k"
"$W" mktree "$src/t200k" 200 1000 0 >/dev/null
"$W" mktree "$src/t50k" 50 1000 0 >/dev/null
start prefer t200k 200 1000 0 1.0 1024 && drop_caches
# -printf %s needs each file's attributes: a LOOKUP for every entry.
n=$(find "$MNTDIR" -printf '%s\n' 2>"$T_TMP/find.err" | wc -l)
rc=${PIPESTATUS[0]}
printf 'vfs-serve prefer, find over 200k files: %s entries, exit %s, %s fds held\n' \
	"$n" "$rc" "$(nfds "$SPID")"
stop
start pll t50k 50 1000 0 1.0 && drop_caches
n=$(find "$MNTDIR" -printf '%s\n' 2>"$T_TMP/find.err" | wc -l)
printf 'passthrough_ll (soft limit %s), find over 50k files: %s entries, %s errors (%s)\n' \
	"$(ulimit -Sn)" "$n" "$(wc -l <"$T_TMP/find.err")" \
	"$(sed -n 's/.*: //p' "$T_TMP/find.err" | sort | uniq -c | sort -rn | head -1 | sed 's/^ *//')"
stop
echo
echo "VFS-INJECT (lstat loop of 20000 calls; ns per call; ratio to the floor, a bare seccomp"
echo "notify round trip with synchronous wake-up (tests/bench/notify_floor), each run in 7 pairs"
echo "with a floor run beside it, the median pair shown: the two cores here drift)"
INJ=$BIN/vfs-inject
FLOOR=$TOP/$BUILD/bench/notify_floor
touch "$T_TMP/statme"
best5() {
	local best=
	for round in 1 2 3 4 5; do
		r=$("$@" | awk '$1 == "ok" { print $2 }')
		[ -n "$r" ] || continue
		[ -z "$best" ] || awk -v a="$r" -v b="$best" 'BEGIN { exit !(a < b) }' && best=$r
	done
	echo "${best:-nan}"
}
# paired LABEL CMD...: "LABEL NS RATIO" from the median of 7 (case, floor) pairs.
paired() {
	local label=$1
	shift
	for round in 1 2 3 4 5 6 7; do
		a=$("$@" "$W" statany "$T_TMP/statme" 20000 | awk '$1 == "ok" { print $2 }')
		b=$("$FLOOR" sync 20000 "$T_TMP/statme" | awk '$1 == "ok" { print $2 }')
		awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f %.3f\n", a / 20000 * 1e9, a / b }'
	done | sort -k2 -n | sed -n 4p | sed "s/^/$label /"
}
{
	echo "none $(best5 "$W" statany "$T_TMP/statme" 20000 | awk '{ printf "%.0f", $1 / 20000 * 1e9 }') -"
	echo "floor-plain $(best5 "$FLOOR" plain 20000 "$T_TMP/statme" | awk '{ printf "%.0f", $1 / 20000 * 1e9 }') -"
	echo "floor-sync $(best5 "$FLOOR" sync 20000 "$T_TMP/statme" | awk '{ printf "%.0f", $1 / 20000 * 1e9 }') 1.000"
	paired "unwatched-syscall" "$INJ" exec --fail name_to_handle_at=EIO --
	paired "watched,passed" "$INJ" exec --fail "newfstatat=EIO:nth=1000000000" --
	paired "watched,path-match" "$INJ" exec --fail "newfstatat=EIO:path=/nowhere" --
	paired "injected" "$INJ" exec --fail "newfstatat=EIO:path=$T_TMP/statme" --
} >"$T_TMP/inject"
printf '%-20s %12s %14s\n' CASE NS/CALL "RATIO TO FLOOR"
while read -r label ns ratio; do
	printf '%-20s %12s %14s\n' "$label" "$ns" "$ratio"
done <"$T_TMP/inject"
echo
echo "VFS-TRACE (name_to_handle_at loop of 200000 calls, best of 5; ratios to no tracer"
echo "and to the floor: programs that do nothing on the same hooks, tests/bench/trace_floor)"
TR=$BIN/vfs-trace
TFLOOR=$TOP/$BUILD/bench/trace_floor
best_of() { best5 "$@"; }
trace_bg() {
	: >"$T_TMP/tr.err" # an earlier run's "Tracing" line must not pass for this one's
	"$TR" "$@" >/dev/null 2>>"$T_TMP/tr.err" &
	TRPID=$!
	T_PIDS+=("$TRPID")
	retry 400 grep -q "^Tracing" "$T_TMP/tr.err"
}
# trace_stop: ends the tracer; the events it lost (it names them only when there are some).
trace_stop() {
	local n
	kill -INT $TRPID
	wait $TRPID
	n=$(sed -n 's/.*lost \([0-9]*\) events.*/\1/p' "$T_TMP/tr.err")
	echo "${n:-0}"
}
ok_loop() { "$W" handles "$T_TMP/statme" 200000; }
fail_loop() { "$W" handles /proc/self/status 200000; }
base_ok=$(best_of ok_loop)
base_fail=$(best_of fail_loop)
"$TFLOOR" "$TOP/$BUILD/bench/trace_floor.bpf.o" 2>"$T_TMP/tf.err" &
TRPID=$!
T_PIDS+=("$TRPID")
retry 400 grep -q "^Tracing" "$T_TMP/tf.err"
floor_ok=$(best_of ok_loop)
kill -INT $TRPID; wait $TRPID
trace_bg -x
t_ok=$(best_of ok_loop)
trace_stop >/dev/null
trace_bg -x -j
t_fail=$(best_of fail_loop)
lost_fail=$(trace_stop)
trace_bg -a -j
t_all=$(best_of ok_loop)
lost_all=$(trace_stop)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
rate() { awk -v s="$1" 'BEGIN { printf "%.0f", 200000 / s }'; }
printf '%-44s %8s %8s %10s %8s\n' CASE "/NONE" "/FLOOR" EVENTS/S LOST
printf '%-44s %8s %8s %10s %8s\n' "empty programs on the same hooks (the floor)" \
	"$(ratio "$floor_ok" "$base_ok")" 1.000 0 -
printf '%-44s %8s %8s %10s %8s\n' "successful calls, -x (filtered in kernel)" \
	"$(ratio "$t_ok" "$base_ok")" "$(ratio "$t_ok" "$floor_ok")" 0 -
printf '%-44s %8s %8s %10s %8s\n' "failing calls, -x -j (every call an event)" \
	"$(ratio "$t_fail" "$base_fail")" - "$(rate "$t_fail")" "${lost_fail:-0}"
printf '%-44s %8s %8s %10s %8s\n' "successful calls, -a -j (every call an event)" \
	"$(ratio "$t_all" "$base_ok")" - "$(rate "$t_all")" "${lost_all:-0}"
echo
echo "VFS-TRACE EVENT LOSS (-a -j, one second paced at 250k, 500k, 750k, 1M events/s;"
echo "each TARGET>REACHED:LOST, the rate asked, the rate the loop reached, the events lost;"
echo "the summary names the highest rate reached with none lost, and every target the loop fell"
echo "short of by more than 10%: nothing is claimed for a rate that was not reached)"
printf '%-10s %s\n' RING "TARGET>REACHED:LOST ..."
for ring in 16 64; do
	line= best=0 short=
	for r in 250000 500000 750000 1000000; do
		trace_bg -a -j --ring "$ring"
		got=$("$W" handles "$T_TMP/statme" "$r" "$r" | awk -v n="$r" '$1 == "ok" { printf "%.0f", n / $2 }')
		lost=$(trace_stop)
		line="$line $((r / 1000))k>${got:-?}:${lost:-?}"
		if [ -z "$got" ] || [ "$got" -lt $((r * 9 / 10)) ]; then
			short="$short $((r / 1000))k"
		fi
		[ "${lost:-x}" = 0 ] && [ -n "$got" ] && [ "$got" -gt "$best" ] && best=$got
	done
	printf '%-10s %s\n           (0 lost at up to %s events/s reached%s)\n' "$ring MiB" "$line" \
		"$best" "${short:+; targets not reached:$short}"
done
echo
echo "FUSE WITHOUT A KERNEL (GETATTR of the root, 20000 each, best of 3; requests/s with 1, 4"
echo "and 16 in flight: the C virtiofsd over vfskit's vhost-user front-end, vfs-serve's socket"
echo "mode, and beside them the same GETATTRs through a vfs-serve kernel mount, lstat with"
echo "attribute timeout 0 from 1, 4, 16 threads; ratios to the kernel mount)"
PB=$TOP/$BUILD/bench/proto_bench
VD=/usr/lib/qemu/virtiofsd
mkdir -p "$src/pb"
echo x >"$src/pb/f"
best_rps() {
	local best=0 r
	for round in 1 2 3; do
		r=$("$@" | awk '$1 == "ok" { printf "%.0f", $3 / $2 }')
		[ -n "$r" ] && [ "$r" -gt "$best" ] && best=$r
	done
	echo "$best"
}
declare -A P
VDCMD="$VD --fd={fd} -o source={source} -o log_level=err"
VSCMD="$BIN/vfs-serve --fd={fd} {source}"
for k in 1 4 16; do
	[ -x "$VD" ] && P[vd,$k]=$(best_rps "$PB" vhost "$VDCMD" "$src/pb" 20000 $k)
	P[vu,$k]=$(best_rps "$PB" vhost "$VSCMD" "$src/pb" 20000 $k)
	P[sock,$k]=$(best_rps "$PB" socket "$BIN/vfs-serve --fuse-fd={fd} {source}" "$src/pb" 20000 $k)
done
start never pb 1 1 0 0
for k in 1 4 16; do
	P[mnt,$k]=$(best_rps "$PB" mount "$MNTDIR" 20000 $k)
done
stop
printf '%-34s %10s %10s %10s %12s\n' TARGET "1 REQ/S" "4 REQ/S" "16 REQ/S" "1: US/REQ"
for t in vd:"C virtiofsd (vhost-user)" vu:"vfs-serve --vhost-user" sock:"vfs-serve socket mode" \
	mnt:"vfs-serve kernel mount"; do
	k=${t%%:*}
	[ -n "${P[$k,1]:-}" ] || continue
	printf '%-34s %10s %10s %10s %12s\n' "${t#*:}" "${P[$k,1]}" "${P[$k,4]}" "${P[$k,16]}" \
		"$(awk -v r="${P[$k,1]}" 'BEGIN { printf "%.1f", r ? 1e6 / r : 0 }')"
done
printf '%-34s' "ratios to the kernel mount"; echo
for t in vd:"C virtiofsd / mount" vu:"vfs-serve vhost-user / mount" sock:"socket mode / mount"; do
	k=${t%%:*}
	[ -n "${P[$k,1]:-}" ] || continue
	printf '%-34s' "${t#*:}"
	for n in 1 4 16; do
		printf ' %10s' "$(awk -v a="${P[$k,$n]}" -v b="${P[mnt,$n]}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
	done
	echo
done
echo
echo "VHOST-USER BACK-ENDS AT THE FLOOR (vfskit's front-end driving each back-end with the same"
echo "requests, each reply checked; requests/s, best of 3. FRONT-END: the front-end alone, requests"
echo "answered in-process from memory (no ring, no daemon); FLOOR: null_vhost, a back-end on"
echo "lib/transport that moves requests and replies and touches no file; the C virtiofsd; the"
echo "Rust virtiofsd with no thread pool and with 4; vfs-serve --vhost-user on one request queue,"
echo "and MQ: 2 request queues, a thread each (--thread-pool-size=2). /FLOOR: vfs-serve's time per"
echo "request over the floor's (its best of 1 queue and MQ); /PEER: its requests/s over the best"
echo "peer's; FE/SLOW: the front-end's requests/s over the slowest daemon's)"
RS=$TOP/build/virtiofsd-rs/virtiofsd
RSCMD="env -u RUST_BACKTRACE $RS --fd={fd} --shared-dir={source} --log-level=error"
NV="$TOP/$BUILD/bench/null_vhost --fd={fd}"
[ -x "$RS" ] || echo "(no Rust virtiofsd: make virtiofsd-rs; its columns are empty)"
mkdir -p "$src/flat"
"$W" mktree "$src/flat" 1 100000 0 >/dev/null
head -c $((128 << 10)) /dev/zero >"$src/flat/d0/f0" # READ and WRITE of up to 128 KiB at 0
printf '%-14s %3s %9s %9s %9s %9s %9s %9s %9s %7s %6s %7s\n' OP DEP FRONT-END FLOOR C \
	"RUST 0" "RUST 4" VFS-SERVE MQ /FLOOR /PEER FE/SLOW
declare -A G # G[goal] = "worst ratio seen"
goal_min() { G[$1]=$(awk -v a="${G[$1]:-1e9}" -v b="$2" 'BEGIN { print (b < a ? b : a) }'); }
goal_max() { G[$1]=$(awk -v a="${G[$1]:-0}" -v b="$2" 'BEGIN { print (b > a ? b : a) }'); }
for op in getattr lookup-forget read4k read128k write4k write128k; do
	n=20000
	case $op in *128k) n=5000 ;; esac
	for k in 1 16 64; do
		fe=$(best_rps "$PB" loop $((n * 10)) $k $op)
		fl=$(best_rps "$PB" vhost "$NV" "$src/flat/d0" $n $k $op)
		c=$(best_rps "$PB" vhost "$VDCMD" "$src/flat/d0" $n $k $op)
		r0= r4=
		if [ -x "$RS" ]; then
			r0=$(best_rps "$PB" vhost "$RSCMD --thread-pool-size=0" "$src/flat/d0" $n $k $op)
			r4=$(best_rps "$PB" vhost "$RSCMD --thread-pool-size=4" "$src/flat/d0" $n $k $op)
		fi
		v=$(best_rps "$PB" vhost "$VSCMD" "$src/flat/d0" $n $k $op)
		mq=$(best_rps "$PB" vhost "$VSCMD --request-queues=2 --thread-pool-size=2" \
			"$src/flat/d0" $n $k $op 2)
		read -r vbest peer slow < <(awk -v v="$v" -v m="$mq" -v c="$c" -v a="${r0:-0}" \
			-v b="${r4:-0}" 'BEGIN { p = c; if (a > p) p = a; if (b > p) p = b
			s = c; if (a && a < s) s = a; if (b && b < s) s = b
			print (m > v ? m : v), p, s }')
		tf=$(awk -v f="$fl" -v v="$vbest" 'BEGIN { printf "%.2f", v ? f / v : 0 }')
		tp=$(awk -v p="$peer" -v v="$vbest" 'BEGIN { printf "%.2f", p ? v / p : 0 }')
		fs=$(awk -v f="$fe" -v s="$slow" 'BEGIN { printf "%.1f", s ? f / s : 0 }')
		printf '%-14s %3s %9s %9s %9s %9s %9s %9s %9s %7s %6s %7s\n' "$op" $k "$fe" "$fl" \
			"$c" "${r0:--}" "${r4:--}" "$v" "$mq" "$tf" "$tp" "$fs"
		if [ $k = 1 ]; then goal_max floor1 "$tf"; else goal_max floorN "$tf"; goal_min peerN "$tp"; fi
		goal_min fe "$fs"
	done
done
echo "goals (worst row): at 16 and 64 in flight, vfs-serve's requests/s over the best peer's"
echo "${G[peerN]} (goal >= 1.5) and its time per request over the floor's ${G[floorN]} (goal <= 1.25);"
echo "at 1 in flight over the floor's ${G[floor1]} (goal <= 1.1); the front-end over the slowest"
echo "daemon it drives ${G[fe]}x (goal >= 3); bytes per inode: the table below (goal <= 128)"
echo
echo "AFTER 100k LOOKUPs OF DISTINCT FILES (no FORGET; fds and RSS of the serving process,"
echo "less those after one LOOKUP; RLIMIT_NOFILE as this machine gives it, hard $(ulimit -Hn))"
printf '%-40s %10s %12s %16s\n' DAEMON LOOKUPS "FDS/INODE" "RSS BYTES/INODE"
daemons=(vd:"C virtiofsd":"$VDCMD")
[ -x "$RS" ] && daemons+=(rsnever:"Rust virtiofsd (never)":"$RSCMD --inode-file-handles=never"
	rsprefer:"Rust virtiofsd (prefer)":"$RSCMD --inode-file-handles=prefer")
daemons+=(never:"vfs-serve --vhost-user (never)":"$VSCMD"
	prefer:"vfs-serve --vhost-user (prefer)":"$VSCMD --inode-file-handles=prefer")
for d in "${daemons[@]}"; do
	IFS=: read -r key label cmd <<<"$d"
	set -- $("$PB" vhost "$cmd" "$src/flat/d0" 1 1 lookups) 0 0 0 0 0
	f1=$4 r1=$5
	set -- $("$PB" vhost "$cmd" "$src/flat/d0" 100000 1 lookups) 0 0 0 0 0
	n=$3
	[ "$1" = fail ] && n="$3 ($2)"
	printf '%-40s %10s %12s %16s\n' "$label" "$n" \
		"$(awk -v f="$4" -v g="$f1" -v n="$3" 'BEGIN { printf "%.2f", (n > 1 ? (f - g) / (n - 1) : 0) }')" \
		"$(awk -v r="$5" -v s="$r1" -v n="$3" 'BEGIN { printf "%.0f", (n > 1 ? (r - s) * 1024 / (n - 1) : 0) }')"
done
echo
echo "HOST RENAMES AS THE GUEST RECEIVES THEM (2000 renames, each waited for: through vfs-serve"
echo "--vhost-user's notification queue, the rename rejoined by the front-end's driver, per"
echo "policy, buffers and host watcher; beside raw inotify on the same directory; best of 3)"
NB=$TOP/$BUILD/bench/notify_bench
mkdir -p "$src/nb"
: >"$src/nb/f0"
# best_secs ARGS...: the best of 3 "ok SECONDS ..." lines' SECONDS (and that run's 4th field).
best_secs() {
	local best= extra=
	for round in 1 2 3; do
		line=$("$@" | awk '$1 == "ok"')
		r=$(echo "$line" | awk '{ print $2 }')
		[ -n "$r" ] || continue
		if [ -z "$best" ] || awk -v a="$r" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$r
			extra=$(echo "$line" | awk '{ print $4 }')
		fi
	done
	echo "${best:-nan} ${extra:-?}"
}
raw=$(best_secs "$NB" inotify "$src/nb" 2000 | cut -d' ' -f1)
printf '%-34s %12s %12s %10s\n' PATH "RENAMES/S" "US/RENAME" "/INOTIFY"
printf '%-34s %12.0f %12.1f %10s\n' "raw inotify" "$(awk -v s="$raw" 'BEGIN { print 2000 / s }')" \
	"$(awk -v s="$raw" 'BEGIN { print s / 2000 * 1e6 }')" 1.00
for be in fanotify inotify; do
	for pol in split atomic reserve; do
		for nbuf in 2 16; do
			[ $be = inotify ] && [ $nbuf = 2 ] && continue
			g=$(best_secs "$NB" guest "$BIN/vfs-serve" $pol $nbuf $be "$src/nb" 2000 | cut -d' ' -f1)
			printf '%-34s %12.0f %12.1f %10.1f\n' "guest, $pol, $nbuf buffers, $be" \
				"$(awk -v s="$g" 'BEGIN { print 2000 / s }')" \
				"$(awk -v s="$g" 'BEGIN { print s / 2000 * 1e6 }')" \
				"$(awk -v a="$g" -v b="$raw" 'BEGIN { print a / b }')"
		done
	done
done
echo "(one buffer delivers no whole rename under any policy: the scenarios queue-1-* show why)"

echo
echo "A BURST OF 10000 HOST RENAMES (a thread renaming as fast as rename(2) goes while the guest"
echo "takes what comes; until every half is delivered or counted lost; best of 3; DELIVERED/S:"
echo "halves the guest got, per second; LOST: halves the device had no buffer for, in that run"
echo "(raw inotify's queue holds them all); /INOTIFY: the time to account for all 20000)"
rawb=$(best_secs "$NB" inotify-burst "$src/nb" 10000 | cut -d' ' -f1)
printf '%-34s %12s %10s %10s\n' PATH "DELIVERED/S" "LOST" "/INOTIFY"
printf '%-34s %12.0f %10s %10s\n' "raw inotify" "$(awk -v s="$rawb" 'BEGIN { print 20000 / s }')" 0 1.00
for pol in split atomic reserve; do
	for nbuf in 2 16 64; do
		set -- $(best_secs "$NB" burst "$BIN/vfs-serve" $pol $nbuf fanotify "$src/nb" 10000)
		printf '%-34s %12.0f %10s %10.1f\n' "guest, $pol, $nbuf buffers" \
			"$(awk -v s="$1" -v l="$2" 'BEGIN { print (20000 - l) / s }')" "$2" \
			"$(awk -v a="$1" -v b="$rawb" 'BEGIN { print a / b }')"
	done
done

echo
echo "VFS-FUZZ (20000 steps of seed 1 against vfs-serve, 1 to 3 jobs; requests/s over the whole run,"
echo "restarts and shrinking included, the mean time to start a daemon run (fixture, daemon, INIT),"
echo "and RATIO: requests/s to the same transport's bare GETATTR round trip above, 1 in flight)"
printf '%-24s %5s %10s %12s %7s\n' TARGET JOBS "REQ/S" "RESTART MS" RATIO
for t in fixed:sock fixed-vhost:vu; do
	for j in 1 2 3; do
		row=$("$BIN/vfs-fuzz" --targets=${t%%:*} --seed=1 --requests=20000 --jobs=$j \
			--out="$T_TMP/fuzz-out" 2>/dev/null | awk -v t="${t%%:*}" '$1 == t')
		rps=$(echo "$row" | awk '{ print $4 }')
		rms=$(echo "$row" | awk '{ print $6 }')
		printf '%-24s %5s %10s %12s %7s\n' "${t%%:*}" $j "${rps:-nan}" "${rms:-nan}" \
			"$(awk -v a="${rps:-0}" -v b="${P[${t#*:},1]:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
	done
done
echo
echo "REAL GUESTS (QEMU/TCG, --guest=vm, vfs-serve --vhost-user), per guest kernel: the boot"
echo "(the first run's, which boots and saves the guest), a run's start (restore, plug, mount:"
echo "the later runs', median of 4), a run's stop; per guest step: a scenario of 1 and of 401"
echo "'guest stat' steps, the difference over 400 (best of 3), beside a vfs-serve kernel mount"
if command -v qemu-system-x86_64 >/dev/null && [ -f "$TOP/build/guest/6.1/initrd.gz" ]; then
	for n in 1 401; do
		printf 'title bench\ncase other\nfixture tmpfs\nhost write f "x"\nrepeat %s\nexpect reg guest stat f type\nend\n' \
			"$n" >"$T_TMP/steps$n.scn"
	done
	mkdir -p "$T_TMP/five"
	for k in 1 2 3 4 5; do cp "$T_TMP/steps1.scn" "$T_TMP/five/s$k.scn"; done
	# wall_best ARGS...: the best of 3 wall times of one vfs-scenario run.
	wall_best() {
		local best=
		for round in 1 2 3; do
			local t0 t1
			t0=$(date +%s.%N)
			"$BIN/vfs-scenario" "$@" >/dev/null 2>&1 || { echo nan; return; }
			t1=$(date +%s.%N)
			best=$(awk -v a="$t0" -v b="$t1" -v c="${best:-1e9}" 'BEGIN { d = b - a; print (d < c ? d : c) }')
		done
		echo "$best"
	}
	m1=$(wall_best --targets=fixed "$T_TMP/steps1.scn")
	m401=$(wall_best --targets=fixed "$T_TMP/steps401.scn")
	printf '%-8s %10s %10s %10s %14s %14s %8s\n' KERNEL "BOOT(ms)" "START(ms)" "STOP(ms)" \
		"VM-STEP(ms)" "MOUNT-STEP(ms)" RATIO
	for kernel in 6.1 6.12; do
		[ -f "$TOP/build/guest/$kernel/initrd.gz" ] || continue
		"$BIN/vfs-scenario" -v --guest=vm --guest-kernel=$kernel --targets=fixed-vhost \
			"$T_TMP/five" 2>&1 >/dev/null | grep '^  vm: ready' >"$T_TMP/vm-$kernel"
		boot=$(awk 'NR == 1 { print $3 }' "$T_TMP/vm-$kernel")
		start=$(awk 'NR > 1 { print $3 }' "$T_TMP/vm-$kernel" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 : "nan") }')
		stop=$(awk '{ print $(NF - 1) }' "$T_TMP/vm-$kernel" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "nan") }')
		vm1=$(wall_best --guest=vm --guest-kernel=$kernel --targets=fixed-vhost "$T_TMP/steps1.scn")
		vm401=$(wall_best --guest=vm --guest-kernel=$kernel --targets=fixed-vhost "$T_TMP/steps401.scn")
		awk -v k="$kernel" -v b="${boot:-nan}" -v s="$start" -v o="$stop" -v a="$vm401" -v c="$vm1" \
			-v m="$m401" -v n="$m1" 'BEGIN {
			x = (a - c) / 400 * 1e3; y = (m - n) / 400 * 1e3
			printf "%-8s %10s %10s %10s %14.3f %14.3f %8.1f\n", k, b, s, o, x, y, (y > 0 ? x / y : 0) }'
	done
else
	echo "(no QEMU or no guest images: make guest)"
fi
echo "bench: done"
T_DONE=true # not a test: no plan, nothing to fail
