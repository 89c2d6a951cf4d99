#!/bin/bash
# vfs-serve --state: the guest's nodeids survive a restart of the server.
# The FUSE mount's own file handles (nodeid, generation) are the witness:
# the steps of fstests generic/477 and generic/777 (open by file handle,
# plain and connectable, after a cycle mount and after renames), done here
# with our handle_probe since fstests is packaged by neither Debian 12 nor
# 13; then what must be ESTALE and never another file (deleted, replaced
# with the inode number reused), a state damaged or cut short at any
# point, and kill -9 in the middle of lookups.
. "$(dirname "$0")/lib.sh"
plan 33

P=$HELPERS/handle_probe
src=$T_TMP/src
mnt=$T_TMP/mnt
state=$T_TMP/state
NUM=10
make_ext4 "$src" 4096 || { not_ok "make ext4 fixture"; finish; exit 1; }

serve_state() { serve "$src" "$mnt" --state="$state" --inode-file-handles=prefer "$@"; }
cycle() { unserve "$mnt" && serve_state "$@"; }

# make_files DIR GET: NUM files with known data in DIR (made through the
# mount), their handles (GET: get or get-connectable) in $T_TMP/handles
# as "HANDLE WANT", the directory's own with WANT "(directory)".
make_files() {
	local dir=$1 get=$2 i
	rm -rf "$mnt/$dir"
	mkdir -p "$mnt/$dir"
	: >"$T_TMP/handles"
	for i in $(seq 1 $NUM); do
		echo "data-$i" >"$mnt/$dir/file$i"
		echo "$("$P" "$get" "$mnt/$dir/file$i") data-$i" >>"$T_TMP/handles"
	done
	echo "$("$P" get "$mnt/$dir") (directory)" >>"$T_TMP/handles"
}

# all_open [files]: every saved handle opens what it was made for.
all_open() {
	local h want got bad=0
	while read -r h want; do
		[ "${1:-}" = files ] && [ "$want" = "(directory)" ] && continue
		got=$("$P" open "$mnt" "$h" 2>/dev/null)
		[ "$got" = "$want" ] || { echo "#   $h: want '$want', got '$got'"; bad=1; }
	done <"$T_TMP/handles"
	return $bad
}

# none_wrong: every saved handle opens what it was made for, or is ESTALE.
none_wrong() {
	local h want got bad=0
	while read -r h want; do
		got=$("$P" open "$mnt" "$h" 2>/dev/null)
		[ "$got" = "$want" ] || [ "$got" = ESTALE ] ||
			{ echo "#   $h: want '$want' or ESTALE, got '$got'"; bad=1; }
	done <"$T_TMP/handles"
	return $bad
}

# all_stale: every saved handle is ESTALE.
all_stale() {
	local h want
	while read -r h want; do
		[ "$("$P" open "$mnt" "$h" 2>/dev/null)" = ESTALE ] || return 1
	done <"$T_TMP/handles"
}

# The witness first: without --state every old handle is ESTALE after a restart.
serve "$src" "$mnt" --inode-file-handles=prefer || exit 1
make_files 477-dir/testdir get
unserve "$mnt" && serve "$src" "$mnt" --inode-file-handles=prefer || exit 1
check "without --state: every handle is ESTALE after a cycle mount" all_stale
unserve "$mnt"

# Changed while no server ran (first, while ext4 reuses the lowest free
# inode number): ESTALE, never the new file.
serve_state || exit 1
echo old >"$mnt/victim"
echo gone >"$mnt/deleted"
V=$("$P" get "$mnt/victim")
X=$("$P" get "$mnt/deleted")
ino=$(stat -c %i "$src/victim")
unserve "$mnt"
rm "$src/victim" "$src/deleted"
echo new >"$src/victim"
serve_state || exit 1
check_eq "premise: ext4 gave the new file the old inode number" "$ino" "$(stat -c %i "$src/victim")"
check_eq "a file replaced during the restart: its old handle is ESTALE" ESTALE "$("$P" open "$mnt" "$V")"
check_eq "a file deleted during the restart: ESTALE" ESTALE "$("$P" open "$mnt" "$X")"
check_eq "the new file is read through its name" new "$(cat "$mnt/victim")"
check "invariants hold after the restore" invariants "$mnt"
unserve "$mnt"

# generic/477, step by step.
serve_state || exit 1
make_files 477-dir/testdir get
cycle || exit 1
check "477: handles open their files after a cycle mount" all_open
check "477: the restarted server restored the nodeids" [ "$(counter "$mnt" state_restored)" -ge $((NUM + 1)) ]
make_files 477-dir/testdir get
rm -rf "$mnt/477-dir/testdir.renamed"
mv "$mnt/477-dir/testdir" "$mnt/477-dir/testdir.renamed"
cycle || exit 1
check "477: ... after the parent was renamed and a cycle mount" all_open
mkdir -p "$mnt/477-dir/testdir"
make_files 477-dir/testdir get
rm -rf "$mnt/477-dir.renamed"
mv "$mnt/477-dir" "$mnt/477-dir.renamed"
cycle || exit 1
check "477: ... after the grandparent was renamed and a cycle mount" all_open
make_files 477-dir/testdir get
mkdir -p "$mnt/477-dir/testdir.new"
mv "$mnt/477-dir/testdir"/* "$mnt/477-dir/testdir.new/"
cycle || exit 1
check "477: files open after a move to a new parent and a cycle mount" all_open files

# generic/777: connectable handles (the parent is in them too).
make_files 777-dir/testdir get-connectable
cycle || exit 1
check "777: connectable handles open after a cycle mount" all_open
make_files 777-dir/testdir get-connectable
rm -rf "$mnt/777-dir/testdir.renamed"
mv "$mnt/777-dir/testdir" "$mnt/777-dir/testdir.renamed"
cycle || exit 1
check "777: ... after the parent was renamed and a cycle mount" all_open
mkdir -p "$mnt/777-dir/testdir"
make_files 777-dir/testdir get-connectable
rm -rf "$mnt/777-dir.renamed"
mv "$mnt/777-dir" "$mnt/777-dir.renamed"
cycle || exit 1
check "777: ... after the grandparent was renamed and a cycle mount" all_open

# Sandboxed, mount points are the new root's: the same state still maps.
unserve "$mnt"
serve_state --sandbox=namespace || exit 1
make_files sandboxed get
cycle --sandbox=namespace || exit 1
check "in a mount namespace sandbox, handles open after a cycle mount" all_open

# What is refused, and how.
out=$("$BIN/vfs-serve" --state="$state" --design=v3 --inode-file-handles=prefer "$src" "$T_TMP/nowhere" 2>&1)
check_eq "--state with a design that is not fixed: usage error" 2 $?
check "... saying what --state needs" grep -q "needs --design=fixed" <<<"$out"
make_files keep get
unserve "$mnt"
cp "$state" "$T_TMP/good"
size=$(stat -c %s "$T_TMP/good")
cp "$T_TMP/good" "$state"
printf '\xff' | dd of="$state" bs=1 seek=36 conv=notrunc status=none # in the first record's payload
cp "$state" "$T_TMP/damaged"
mkdir -p "$mnt"
out=$("$BIN/vfs-serve" --state="$state" --inode-file-handles=prefer "$src" "$mnt" 2>&1)
check "a damaged state: the server does not start" [ $? != 0 ]
check "... and says where and why" grep -q "state .* refused: record at offset 16 is damaged (checksum) (move it aside" <<<"$out" ||
	echo "# $out"
check "... not mounted, the damaged state left as it was" \
	sh -c "! mountpoint -q '$mnt' && cmp -s '$state' '$T_TMP/damaged'"

# Cut short anywhere (what a crash during a write can leave): loads, and
# each handle opens its own file or is ESTALE.
bad=0
for cut in 0 7 16 23 40 $((size / 3)) $((size / 2)) $((size - 9)) $((size - 1)); do
	head -c "$cut" "$T_TMP/good" >"$state"
	if [ "$cut" -lt 16 ]; then
		"$BIN/vfs-serve" --state="$state" --inode-file-handles=prefer "$src" "$mnt" 2>"$T_TMP/cut.err" &&
			{ echo "# cut at $cut: started"; bad=1; }
		grep -q "not a vfskit state" "$T_TMP/cut.err" || { echo "# cut at $cut: $(cat "$T_TMP/cut.err")"; bad=1; }
		continue
	fi
	serve_state || { bad=1; continue; }
	none_wrong || { echo "# cut at $cut"; bad=1; }
	unserve "$mnt" || bad=1
done
check "a state cut at any point: refused (header) or loaded, no handle opens another file" [ $bad = 0 ]
cp "$T_TMP/good" "$state"

# kill -9 among lookups: every handle the client got names its file after.
bad=0
for round in 1 2 3; do
	serve_state || { bad=1; break; }
	make_files "kill$round" get
	# Lookups and new nodeids still going when the server dies.
	( for i in $(seq 1 200); do echo "x$i" >"$mnt/kill$round/more$i" || break; done ) 2>/dev/null &
	writer=$!
	kill -KILL "$SERVE_PID"
	wait "$SERVE_PID" 2>/dev/null
	wait "$writer" 2>/dev/null
	fusermount3 -u -z "$mnt" 2>/dev/null
	retry 100 sh -c "! mountpoint -q '$mnt'" || bad=1
	serve_state || { bad=1; break; }
	all_open || { echo "# after kill -9 round $round"; bad=1; }
	check_eq "kill -9 round $round: the new server's invariants" 0 "$(invariants "$mnt" >/dev/null; echo $?)"
	unserve "$mnt"
done
check "after kill -9 every handle the client got opens its file" [ $bad = 0 ]
# The same as scenarios: `daemon restart` in a mount run unmounts, waits
# for the daemon's end and mounts again; {dir} is the run's directory.
SC=$BIN/vfs-scenario
"$SC" --targets=fixed,fixed:namespace,ids-only "$TOP/scenarios/restart/remount-state.scn" \
	"$TOP/scenarios/restart/old-handle-remount.scn" >"$T_TMP/scn" 2>&1
check_eq "restart/remount-state and old-handle-remount as scenarios: as declared" 0 $?
check "... remount-state passes with --state (in a namespace sandbox too), n/a elsewhere" \
	grep -Eq "^restart/remount-state +PASS +PASS +n/a *$" "$T_TMP/scn" || sed 's/^/# /' "$T_TMP/scn"
sed 's/ --state={dir}\/vfs-serve.state//' "$TOP/scenarios/restart/remount-state.scn" \
	>"$T_TMP/no-state.scn"
"$SC" --targets=fixed "$T_TMP/no-state.scn" >"$T_TMP/scn" 2>&1
check "... without --state its old handles are ESTALE: --state is what passes it" \
	grep -Eq "^  got: +ESTALE" "$T_TMP/scn"
printf 'title T\ncase other\nfixture tmpfs\nguest write f "x"\nguest open fd f\nexpect ok daemon restart\n' \
	>"$T_TMP/busy.scn"
"$SC" --targets=fixed "$T_TMP/busy.scn" >"$T_TMP/scn" 2>&1
check_eq "a restart with an fd open in the mount: the run fails" 1 $?
check "... a runner error saying to close it first" \
	grep -q "runner error: daemon restart: the mount is busy: close what the scenario holds open in it" "$T_TMP/scn"
"$SC" --targets=passthrough_ll "$TOP/scenarios/restart/old-handle-remount.scn" >"$T_TMP/scn" 2>&1
check "a daemon that dies before its restart: the step says how it ended (finding 32)" \
	grep -q "^bug restart/old-handle-remount \[passthrough_ll\]: .*daemon restart: the old daemon: killed by SIGSEGV: expected success, got ECHILD" "$T_TMP/scn"
check "... and no daemon or mount of the runs is left" \
	sh -c '! pgrep -x passthrough_ll && ! grep -q vfs-scenario /proc/mounts'
gone=0
for pid in "${T_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && gone=1; done
check_eq "no server is left" 0 $gone
finish
