#!/bin/bash
# Host change notification over the virtio-fs notification queue: the
# rename scenarios on vfs-serve --vhost-user (every policy, the starvation
# and deadlock cases) with no vacuous expectation; vfs-watch printing what
# a guest receives, renames rejoined; refusals.
. "$(dirname "$0")/lib.sh"
if [ "$BUILD" = build-san ]; then plan 34; else plan 35; fi

SC=$BIN/vfs-scenario
VW=$BIN/vfs-watch
cd "$TOP" || exit 1

"$SC" --targets=fixed-vhost scenarios/rename >"$T_TMP/m" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/m" | grep -v '^#   '
check_eq "the rename scenarios on vfs-serve --vhost-user: every outcome as declared" 0 $rc
check "... all $(ls scenarios/rename/*.scn | wc -l) pass" \
	grep -q "^vfs-scenario: $(ls scenarios/rename/*.scn | wc -l) passed, 0 failed, 0 skipped$" "$T_TMP/m"
# The same on the inotify backend (fanotify is the default as root).
printf '#!/bin/sh\nexec "%s" --notify-backend=inotify "$@"\n' "$BIN/vfs-serve" >"$T_TMP/serve-inotify"
chmod +x "$T_TMP/serve-inotify"
"$SC" --serve "$T_TMP/serve-inotify" --targets=fixed-vhost scenarios/rename >"$T_TMP/mi" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/mi" | grep -v '^#   ' | tail -3
check_eq "... and on vfs-serve --notify-backend=inotify" 0 $rc
printf '#!/bin/sh\nexec "%s" --notify-backend=fanotify-fs "$@"\n' "$BIN/vfs-serve" >"$T_TMP/serve-fs"
chmod +x "$T_TMP/serve-fs"
"$SC" --serve "$T_TMP/serve-fs" --targets=fixed-vhost scenarios/rename >"$T_TMP/mf" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/mf" | grep -v '^#   ' | tail -3
check_eq "... and on vfs-serve --notify-backend=fanotify-fs (filesystem marks)" 0 $rc
# --mutate judges the scenarios, not the build: once, in the plain build.
if [ "$BUILD" != build-san ]; then
	"$SC" --mutate --targets=fixed-vhost scenarios/rename >"$T_TMP/mut" 2>&1
	check "--mutate: no expectation of them holds when negated" grep -q ", 0 vacuous$" "$T_TMP/mut"
fi
"$SC" --targets=virtiofsd,ids-only scenarios/rename >"$T_TMP/na" 2>&1
check "they are n/a where there is no notification queue" grep -q "^vfs-scenario: 0 passed, 0 failed, 0 skipped$" "$T_TMP/na"

# watch_bg OUT WHAT CMD...: CMD (a vfs-watch) in the background, its
# output in OUT and OUT.err, once it says it is watching WHAT; sets wpid.
watch_bg() {
	local out=$1 what=$2
	shift 2
	"$@" >"$out" 2>"$out.err" &
	wpid=$!
	T_PIDS+=($wpid)
	retry 200 grep -q "^vfs-watch: watching $what" "$out.err"
}

# vfs-watch: what a guest receives, as inotifywait prints it.
mkdir -p "$T_TMP/src/d" "$T_TMP/out"
watch_bg "$T_TMP/w" "2 directories" "$VW" --source="$T_TMP/src" -c 5 -t 20 . d
echo x >"$T_TMP/src/a"
retry 100 grep -q "CREATE a" "$T_TMP/w"
mv "$T_TMP/src/a" "$T_TMP/src/d/b"
retry 100 grep -q "RENAME" "$T_TMP/w"
mv "$T_TMP/src/d/b" "$T_TMP/out/b"
retry 100 grep -q "MOVED_FROM" "$T_TMP/w"
touch "$T_TMP/src/c"
wait $wpid
check_eq "vfs-watch exits 0 after its count" 0 $?
sed 's/^/# /' "$T_TMP/w"
check "a create" grep -qx "./ CREATE a" "$T_TMP/w"
check "a rename across watched directories, rejoined" grep -qx "./ RENAME a d/ b" "$T_TMP/w"
check "a move out of the watched set, alone, after the wait" grep -qx "d/ MOVED_FROM b" "$T_TMP/w"
check "vfs-serve ended cleanly behind it" sh -c "! grep -v '^vfs-serve: notify:' '$T_TMP/w.err' | grep -q 'vfs-serve:'"
check "... on fanotify, nothing lost, nothing unknown" grep -q '^vfs-serve: notify: backend=fanotify policy=split .* unknown=0 stale=0 .* lost=0 ' "$T_TMP/w.err"
watch_bg "$T_TMP/j" "1 directory" "$VW" --source="$T_TMP/src" -j -c 1 -t 20
mv "$T_TMP/src/c" "$T_TMP/src/e"
wait $wpid
check "-j: a JSON line for the rename" grep -q '^{"event":"RENAME","dir":".","name":"c","to_dir":".","to_name":"e","nodeid":1,"cookie":[0-9]*}$' "$T_TMP/j"
"$VW" --source="$T_TMP/src" -t 1 nope >/dev/null 2>"$T_TMP/err"
check "a directory that does not exist is refused" grep -q "cannot watch nope: ENOENT" "$T_TMP/err"
"$VW" --source="$T_TMP/src" --buffers=0 2>"$T_TMP/err"
check "--buffers=0 is refused" grep -q "invalid value '0' for --buffers" "$T_TMP/err"
"$VW" 2>"$T_TMP/err"
check "--source is required" grep -q "source=DIR is required" "$T_TMP/err"
"$BIN/vfs-serve" --notify-policy=sometimes --fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "vfs-serve --notify-policy=sometimes is refused" grep -q "invalid value 'sometimes' for --notify-policy" "$T_TMP/err"
"$BIN/vfs-serve" --notify-backend=dnotify --fd=3 "$T_TMP/src" 2>"$T_TMP/err"
check "vfs-serve --notify-backend=dnotify is refused" grep -q "invalid value 'dnotify' for --notify-backend" "$T_TMP/err"
# WATCH where no notification queue was negotiated: refused, not sent nowhere.
"$BIN/vfs-fuse" --source="$T_TMP/src" --vhost-user="$BIN/vfs-serve --fd={fd} {source}" watch 1 >"$T_TMP/out.j" 2>/dev/null
check "WATCH without a notification queue is EOPNOTSUPP" grep -q '"request":"watch","error":"EOPNOTSUPP"' "$T_TMP/out.j"
"$BIN/vfs-fuse" --source="$T_TMP/src" --vhost-user="/usr/lib/qemu/virtiofsd --fd={fd} -o source={source}" watch 1 >"$T_TMP/out.j" 2>/dev/null
check "the C virtiofsd answers vfskit's WATCH with ENOSYS" grep -q '"request":"watch","error":"ENOSYS"' "$T_TMP/out.j"
# A host where fanotify cannot mark the share (fanotify_mark fails with
# ENODEV, as on a filesystem without an fsid; injected): auto falls back
# to inotify, says so, and the rename still arrives whole.
watch_bg "$T_TMP/f" "1 directory" "$BIN/vfs-inject" exec --fail fanotify_mark=ENODEV -- \
	"$VW" --source="$T_TMP/src" -j -c 1 -t 20
mv "$T_TMP/src/e" "$T_TMP/src/p"
wait $wpid
check "fanotify_mark refused: inotify instead, and said" grep -q "fanotify cannot mark this filesystem (No such device): inotify instead" "$T_TMP/f.err"
check "... the rename arrives whole, through inotify" sh -c "grep -q '\"event\":\"RENAME\",\"dir\":\".\",\"name\":\"e\",\"to_dir\":\".\",\"to_name\":\"p\"' '$T_TMP/f' && grep -q 'backend=inotify' '$T_TMP/f.err'"

# fanotify-fs: the whole filesystem marked, changes outside the watched
# directory read and dropped, counted unknown; those in it delivered.
mkdir -p "$T_TMP/src/w"
watch_bg "$T_TMP/fs" "1 directory" "$VW" --source="$T_TMP/src" --backend=fanotify-fs -c 1 -t 20 w
echo x >"$T_TMP/src/outside"
echo y >"$T_TMP/src/w/inside"
wait $wpid
check "fanotify-fs: the change in the watched directory, alone" sh -c "[ \"\$(cat '$T_TMP/fs')\" = 'w/ CREATE inside' ]"
check "... the one outside it read, dropped and counted" grep -q "backend=fanotify-fs .* unknown=[1-9]" "$T_TMP/fs.err"
"$VW" --source="$T_TMP/src" --backend=dnotify -t 1 >/dev/null 2>"$T_TMP/err"
check "vfs-watch --backend=dnotify is refused" grep -q "invalid value 'dnotify' for --backend" "$T_TMP/err"

# The guest's own changes are the server's to report: from the request,
# fanotify's copy dropped (seen in its counters); with no buffer posted,
# each is counted lost, never dropped unsaid.
mkdir -p "$T_TMP/own"
"$BIN/vfs-fuse" --source="$T_TMP/own" --notification --daemon-log="$T_TMP/own.log" \
	--vhost-user="$BIN/vfs-serve --fd={fd} {source}" watch 1 ';' mkdir 1 sub ';' rename 1 sub 1 sub2 \
	>/dev/null 2>&1
check "a guest mkdir and rename: reported from their requests, fanotify's copies dropped, lost for want of buffers" \
	grep -q "backend=fanotify .* own_reported=2 own_suppressed=2 sent=0 overflows=0 lost=3 " "$T_TMP/own.log"

# Bad oracle and drain steps: a runner error naming what was wrong.
bad_step() { # STEP MESSAGE WHAT
	printf 'title bad\ncase split-rename\nfixture tmpfs\nonly fixed-vhost\nnotify start 2\nnotify watch 1\n%s\n' \
		"$1" >"$T_TMP/bad.scn"
	"$SC" --targets=fixed-vhost "$T_TMP/bad.scn" >"$T_TMP/bad.out" 2>&1
	rc=$?
	check "$3" sh -c "[ $rc = 1 ] && grep -q -- \"$2\" '$T_TMP/bad.out'"
}
bad_step "fuse create 1 x often" "the third word is noexcl or nothing" "fuse create with a third word not noexcl is refused"
bad_step "daemon released c 0" "MS from 1 to 60000, not '0'" "daemon released with 0 ms is refused"
bad_step "notify oracle start 1=../.." "has a '..' component" "an oracle path outside the source is refused"
bad_step "notify oracle start 7=." "nodeid 7 is not watched" "an oracle of an unwatched nodeid is refused"
bad_step "notify oracle start dir" "'dir' is not NODEID=PATH" "an oracle word without NODEID= is refused"
bad_step "notify oracle frob" "inotify or fanotify, not 'frob'" "an unknown oracle is refused"
bad_step "notify oracle inotify" "no notify oracle start before it" "an oracle compared before start is refused"
bad_step "notify drain 0" "HALVES at least 1" "notify drain 0 is refused"
check "nothing is left running" sh -c "! pgrep -f 'vfs-serve --notify-polic[y]'"
finish
