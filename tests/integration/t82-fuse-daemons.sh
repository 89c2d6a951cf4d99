#!/bin/bash
# The FUSE passthrough daemons Debian packages as targets (fuse-overlayfs,
# mergerfs, bindfs, unionfs-fuse, in the modes make conformance runs):
# every outcome as the scenarios declare, FINDINGS.md's table row by row,
# what they document shown "by design" with its reason; and a daemon that
# deadlocks never hangs the runner: its connection is aborted at the time
# limit, the run is a HANG, and the next run goes on.
. "$(dirname "$0")/lib.sh"
for p in fuse-overlayfs mergerfs bindfs unionfs; do
	command -v $p >/dev/null || skip_all "needs $p (make deps installs fuse-overlayfs mergerfs bindfs unionfs-fuse)"
done
plan 44

SC=$BIN/vfs-scenario
cd "$TOP" || exit 1
DAEMONS=$(make -s --no-print-directory --eval 'print-%: ; @echo $($*)' print-FUSE_DAEMONS)

"$SC" --targets="$DAEMONS" scenarios >"$T_TMP/matrix" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/matrix" | grep -v '^#   '
check_eq "the FUSE daemons ($DAEMONS): every outcome as declared" 0 $rc
check "... nothing failed" grep -Eq "^vfs-scenario: [0-9]+ passed, 0 failed, [0-9]+ skipped, [0-9]+ by design(, [0-9]+ not offered \(n/a\))?$" "$T_TMP/matrix"
check "fuse-overlayfs: a scenario changing its layers under it is by design, with the reason" \
	grep -q "^by design generation/same-name \[fuse-overlayfs\]: fuse-overlayfs: its layers must not change under the mount" "$T_TMP/matrix"
check "mergerfs:path-hash: hard links by design, with where mergerfs(1) says so" \
	grep -q "^by design duplicate/hard-links-ino \[mergerfs:path-hash\]: mergerfs(1), inodecalc: path-hash" "$T_TMP/matrix"
check "forged requests are n/a over a /dev/fuse fd (no row: n/a everywhere)" \
	sh -c "! grep -q '^security/forged-nodeids ' '$T_TMP/matrix'"

# FINDINGS.md's table: the header names the columns, each row the cells.
awk -F'|' '/^## / { on = /^## The FUSE daemons table t82 asserts/ } on && /^\| / {
	line = ""
	for (i = 2; i < NF; i++) { gsub(/^ +| +$/, "", $i); line = line (i > 2 ? ";" : "") $i }
	print line }' scenarios/FINDINGS.md >"$T_TMP/table"
check "FINDINGS.md has the FUSE daemons' table" test "$(wc -l <"$T_TMP/table")" -ge 12
IFS=';' read -ra cols <"$T_TMP/table"
# The matrix's column of each table column, by its header.
read -ra header < <(head -1 "$T_TMP/matrix")
idx=()
for c in "${cols[@]:1}"; do
	for i in "${!header[@]}"; do [ "${header[i]}" = "$c" ] && idx+=("$i"); done
done
check_eq "... every column of it is in the matrix" $((${#cols[@]} - 1)) ${#idx[@]}
while IFS=';' read -ra want; do
	[ "${want[0]}" = scenario ] || [[ "${want[0]}" == -* ]] && continue
	got=$(grep -E "^${want[0]} " "$T_TMP/matrix" | sed -E 's/ +$//; s/ {2,}/;/g')
	IFS=';' read -ra cells <<<"$got"
	good=true
	for k in "${!idx[@]}"; do
		cell=${cells[${idx[k]}]:-}
		[[ " or ${want[k + 1]} or " == *" or $cell or "* ]] || good=false
	done
	if $good; then
		ok "FINDINGS.md: ${want[0]}"
	else
		not_ok "FINDINGS.md: ${want[0]}"
		echo "#   want: ${want[*]:1}"
		echo "#   got:  $got"
	fi
done < <(tail -n +2 "$T_TMP/table")

# Refusals name what was wrong.
"$SC" --targets=mergerfs:nope scenarios/other >"$T_TMP/bad" 2>&1
check "an unknown mode is refused, naming the modes" \
	grep -q "target mergerfs has no option 'nope' (hybrid-hash, path-hash, devino-hash, passthrough, use_ino, no-use-ino)" "$T_TMP/bad"
"$SC" --targets=mergerfs:path-hash,devino-hash scenarios/other >"$T_TMP/bad" 2>&1
check "two inodecalc modes at once are refused" grep -q "'path-hash' and 'devino-hash' are both inodecalc" "$T_TMP/bad"
printf 'title t\ncase other\nfixture tmpfs\nby-design mergerfs\n\nwitness EIO expect ok guest read a\n' >"$T_TMP/bd.scn"
"$SC" --targets=mergerfs "$T_TMP/bd.scn" >"$T_TMP/bad" 2>&1
check_eq "a by-design line without its reason: exit 2" 2 $?
check "... naming the line" grep -q "bd.scn:4: usage: by-design TARGET" "$T_TMP/bad"

# vfs-fuzz reaches fuse-overlayfs over a /dev/fuse fd, as a kernel would
# (faithful): finding 22 found again, none of the crashes only requests no
# kernel sends would cause; and says why it cannot reach the libfuse 2 ones.
"$BIN/vfs-fuzz" --targets=fuse-overlayfs --seed=1 --requests=3000 --out="$T_TMP/fz" >"$T_TMP/fz.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/fz.out" | grep -v "^#   "
check_eq "vfs-fuzz on fuse-overlayfs: findings (exit 1)" 1 $rc
check "... finding 22 again: a forgotten nodeid back for another file" \
	grep -q "fuse-overlayfs:devfuse: identity reused: nodeid [0-9]* generation 0" "$T_TMP/fz.out"
check "... and no crash on a request a kernel would not send" sh -c "! grep -q 'alive gone' '$T_TMP/fz.out'"
"$BIN/vfs-fuzz" --targets=bindfs --requests=10 >"$T_TMP/fz.bad" 2>&1
check_eq "vfs-fuzz --targets=bindfs: exit 2" 2 $?
check "... saying why" grep -q "bindfs takes no /dev/fuse fd (its libfuse is 2.x)" "$T_TMP/fz.bad"

# A daemon that deadlocks on purpose: "hang" takes its lock and looks up
# "block" through its own mount, which another thread serves by waiting
# for the lock. The runner aborts the connection at --timeout, reports
# HANG, and runs the next scenario; nothing is left behind.
printf 'title hang\ncase other\nfixture tmpfs\n\nexpect ENOENT guest stat missing ino\nexpect ok guest stat hang ino\n' >"$T_TMP/a-hang.scn"
printf 'title after\ncase other\nfixture tmpfs\n\nexpect ENOENT guest stat missing ino\n' >"$T_TMP/b-after.scn"
DL=$HELPERS/deadlock_fs
# abort_stuck: the suite's own safety net, should the runner not end (a
# process asleep on a dead FUSE connection ignores every signal): aborts
# every connection with a request waiting, from a mount namespace of its own.
abort_stuck() {
	unshare -m --propagation private sh -c 'mount -t fusectl fusectl /sys/fs/fuse/connections &&
		for c in /sys/fs/fuse/connections/*/; do
			[ "$(cat "$c/waiting")" -gt 0 ] && echo 1 >"$c/abort"
		done'
}
runner_ended() { ! kill -0 "$1" 2>/dev/null; }
# bounded OUT ARGS...: the runner with ARGS, its output in OUT, its exit status.
bounded() {
	local out=$1 runner
	shift
	"$SC" "$@" >"$out" 2>&1 &
	runner=$!
	retry 600 runner_ended $runner || { echo "# the runner did not end in 30 s: aborting"; abort_stuck; }
	wait $runner
}
start=$(date +%s)
bounded "$T_TMP/hang" --timeout=3 --server "$DL {source} {mountpoint}" "$T_TMP/a-hang.scn" "$T_TMP/b-after.scn"
rc=$?
took=$(($(date +%s) - start))
sed 's/^/# /' "$T_TMP/hang"
check_eq "a deadlocked daemon: the run ends, exit 1 (not the 124 of a hung runner)" 1 $rc
check "... its outcome is HANG" grep -Eq "/a-hang +HANG" "$T_TMP/hang"
check "... the step got the aborted connection's error" grep -q "got:      ECONNABORTED" "$T_TMP/hang"
check "... the report says what the runner did" \
	grep -q "no answer within 3 s (--timeout): its FUSE connection was aborted and its process group killed" "$T_TMP/hang"
check "... and the next scenario ran" grep -Eq "/b-after +PASS" "$T_TMP/hang"
check "... within the limit and the teardown (${took} s; the safety net acts at 30)" [ "$took" -lt 20 ]
check "... no deadlock_fs is left" sh -c "! pgrep -x deadlock_fs"
check "... no work directory of the run is left" sh -c "! ls -d /tmp/vfs-scenario.* 2>/dev/null | grep -q ."
bounded "$T_TMP/hang.tap" --tap --timeout=2 --server "$DL {source} {mountpoint}" "$T_TMP/a-hang.scn"
check "TAP says hang" grep -q "^not ok 1 - .*/a-hang \[server\] # hang: connection aborted" "$T_TMP/hang.tap"

# Why aborting is needed: killed, the same daemon does not die (its
# thread waits on its own mount, uninterruptibly), until the connection is
# aborted. In a mount namespace of its own, so fusectl is mounted there only.
cat >"$T_TMP/control.sh" <<'SH'
set -u
dl=$1 dir=$2
mkdir -p "$dir/mnt"
"$dl" "$dir" "$dir/mnt" &
pid=$!
for i in $(seq 200); do mountpoint -q "$dir/mnt" && break; sleep 0.05; done
conn=$(awk -v m="$dir/mnt" '$5 == m { split($3, d, ":"); print d[2] }' /proc/self/mountinfo)
stat "$dir/mnt/hang" >/dev/null 2>&1 &
# Wait until the lookup of "block" is inside the daemon: its thread is asleep in it.
for i in $(seq 200); do grep -qs "^State:.*D" /proc/$pid/task/*/status && break; sleep 0.05; done
kill -KILL $pid
if timeout 2 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"; then
	echo "died on SIGKILL"
else
	echo "alive after SIGKILL"
fi
mountpoint -q /sys/fs/fuse/connections || mount -t fusectl fusectl /sys/fs/fuse/connections
echo 1 >/sys/fs/fuse/connections/$conn/abort
if timeout 10 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"; then
	echo "gone after abort"
fi
wait
umount -l "$dir/mnt" 2>/dev/null
SH
mkdir -p "$T_TMP/ctl"
unshare -m --propagation private bash "$T_TMP/control.sh" "$DL" "$T_TMP/ctl" >"$T_TMP/control" 2>&1
sed 's/^/# /' "$T_TMP/control"
check "control: SIGKILL alone does not end the deadlocked daemon" grep -q "^alive after SIGKILL" "$T_TMP/control"
check "control: aborting its connection does" grep -q "^gone after abort" "$T_TMP/control"
check "control: nothing is left" sh -c "! pgrep -x deadlock_fs"
finish
