#!/bin/bash
# The control socket: each command does what CONTROL.md says; bad commands
# get an "err" line naming what was wrong; no client, however rude, crashes
# the server or stalls it.
. "$(dirname "$0")/lib.sh"
plan 43

src=$T_TMP/src
mnt=$T_TMP/mnt
mkdir -p "$src" && echo data >"$src/f"
serve "$src" "$mnt" --inode-file-handles=prefer --control-idle-timeout=2 || exit 1
S=$mnt.ctl
CTL=$HELPERS/vfs-ctl

# refused CMD EXPECTED-FRAGMENT: the command gets an err line with that text.
refused() {
	local out rc
	out=$("$CTL" "$S" "$1")
	rc=$?
	if [ $rc = 1 ] && echo "$out" | tail -1 | grep -q "^err .*$2"; then
		ok "refused: '$1' ($2)"
	else
		not_ok "refused: '$1' ($2)"
		echo "#   exit $rc, reply: $out"
	fi
}

refused "bogus" "unknown command 'bogus'"
refused "" "empty command"
refused "dump ino=abc" "bad filter 'ino=abc'"
refused "dump nodeid=0" "bad filter 'nodeid=0'"
refused "check now" "takes no arguments"
refused "counters x" "takes no arguments"
refused "fault" "usage"
refused "fault arm nosuch EIO" "unknown fault point 'nosuch'"
refused "fault arm handle_generate EBOGUS" "unknown errno 'EBOGUS'"
refused "fault arm handle_generate EIO nth=0" "bad schedule 'nth=0'"
refused "fault arm handle_generate EIO prob=2" "bad schedule 'prob=2'"
refused "fault arm handle_generate EIO prob=0.5,seed=x" "bad schedule"
refused "fault arm handle_generate EIO sometimes" "bad schedule 'sometimes'"
refused "fault clear nosuch" "unknown fault point 'nosuch'"
refused "a b c d e f g h i j" "too many words"

out=$(head -c 5000 /dev/zero | tr '\0' x | "$CTL" --raw "$S")
check_eq "an over-long line is refused and the connection closed" \
	"err line longer than 4095 bytes" "$out"
out=$(printf 'dump\0\001\377garbage\nhelp\n' | "$CTL" --raw "$S" | tail -1)
check_eq "binary garbage gets an error and the next command still works" "ok commands" "$out"
out=$("$CTL" --idle 15 "$S" counters | tail -1)
check_eq "15 silent clients do not stall a 16th" "ok counters" "$out"
out=$("$CTL" --idle 20 "$S" counters 2>&1 | tail -1)
check "past 16 clients, one more is told there are too many" grep -q "too many clients" <<<"$out"
out=$(printf 'fault arm handle_generate EIO\0 nth=5\nfault list\n' | "$CTL" --raw "$S")
check_eq "a NUL byte refuses the line whole" \
	"err invalid byte 0x00 at offset 29: line refused" "$(echo "$out" | head -1)"
check "... nothing was armed" grep -q "^fault handle_generate disarmed" <<<"$out"
out=$(printf 'counters\001\n' | "$CTL" --raw "$S")
check_eq "so does a control character" "err invalid byte 0x01 at offset 8: line refused" "$out"
out=$(printf 'help\r\n' | "$CTL" --raw "$S" | tail -1)
check_eq "a CRLF line end is taken" "ok commands" "$out"

# A client that pipelines big replies and reads them slowly delays nobody else.
for i in $(seq 300); do : >"$src/many$i"; done
ls -l "$mnt" >/dev/null
"$CTL" --slow 400 "$S" dump >"$T_TMP/slow.out" &
slow=$!
T_PIDS+=("$slow")
retry 100 sh -c "'$CTL' '$S' counters >/dev/null"
out=$(timeout 5 "$CTL" "$S" counters | tail -1)
check_eq "while a slow client has dumps queued, another is answered" "ok counters" "$out"
check "... and the slow client is still being served" kill -0 "$slow"
kill "$slow"

# Idle clients are dropped after the idle timeout (2 s here), so they
# cannot lock everyone else out.
idle=()
for i in $(seq 16); do
	timeout 20 "$CTL" --slow 0 "$S" x >"$T_TMP/idle$i" &
	idle+=($!)
done
T_PIDS+=("${idle[@]}")
dropped=0
for p in "${idle[@]}"; do wait "$p" && dropped=$((dropped + 1)); done
check_eq "16 idle clients are each dropped after the idle timeout" 16 "$dropped"
out=$("$CTL" "$S" counters | tail -1)
check_eq "... and then a new client gets in" "ok counters" "$out"
check_eq "the server still serves files after all that" data "$(cat "$mnt/f")"

# Faults: armed, fired on schedule, listed, cleared.
cat "$mnt/f" >/dev/null
check "arm handle_generate EOPNOTSUPP nth=2" quiet "$CTL" "$S" "fault arm handle_generate EOPNOTSUPP nth=2"
for n in 1 2 3; do echo "$n" >"$src/n$n"; stat "$mnt/n$n" >/dev/null 2>"$T_TMP/stat$n.err"; done
out=$("$CTL" "$S" "fault list" | grep "^fault handle_generate")
check_eq "the fault fired once, on the second call" \
	"fault handle_generate armed errno=EOPNOTSUPP schedule=nth=2 calls=3 fired=1" "$out"
check "fixed design: that lookup failed (the mount has handles)" \
	grep -q "Operation not supported" "$T_TMP/stat2.err"
check_eq "fixed design: it did not fall back to O_PATH" 0 "$(counter "$mnt" fallbacks_opath)"
check_eq "the failure is counted by errno" 1 "$(counter "$mnt" handle_failures.EOPNOTSUPP)"
stat "$mnt/n2" >/dev/null
out=$("$CTL" "$S" "dump ino=$(stat -c %i "$src/n2")")
check "the next lookup of n2 makes a handle inode" grep -q "handle=1:[0-9a-f]* fd=no" <<<"$out"
check "fault clear all" quiet "$CTL" "$S" "fault clear all"
check "no point is armed after clear" sh -c "! \"$CTL\" \"$S\" 'fault list' | grep -q ' armed '"

check "arm opath_open EACCES every" quiet "$CTL" "$S" "fault arm opath_open EACCES"
out=$(stat "$mnt/n3x" 2>&1)
check "a lookup under an armed opath_open fails with EACCES" grep -q "Permission denied" <<<"$out"
"$CTL" "$S" "fault clear opath_open" >/dev/null
check "after clearing it the lookup works" stat "$mnt/n3" >/dev/null

out=$("$CTL" "$S" "dump" | tail -1)
check "dump ends with the number of inodes" grep -Eq "^ok [0-9]+ inodes$" <<<"$out"
check "invariants hold" invariants "$mnt"
check "clean unmount" unserve "$mnt"
check "the control socket is removed at exit" [ ! -e "$S" ]
finish
