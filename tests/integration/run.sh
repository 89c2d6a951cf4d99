#!/bin/bash
# Runs integration tests (every tests/integration/t*.sh, or the files
# given), each under a time limit, and closes with the totals.
#
# Each test runs in a session of its own with its output in a file, so
# nothing it leaves behind can hold the harness: at its time limit the
# whole session is killed, and any process still in the session after the
# test has ended is named, killed and counted as a failure. A test that
# cannot run here exits 77 (skip); under CI (CI=true) a skip counts as a
# failure, because CI has root, /dev/fuse and loop devices and nothing
# may skip there. A test passes only with its closing "NAME: N passed,
# 0 failed" line and exit 0; lib.sh fails a test that dies before it.
#
# T_LIMIT: seconds per test (default 300; make check SAN=1 gives 600: t70 runs the
# whole matrix of scenarios under ASan in about 5 minutes). A test that needs
# more says so in a line "# limit: N s" (the larger of the two holds).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
default_limit=${T_LIMIT:-300}
pass=0 fail=0 skip=0 broken=()
logs=$(mktemp -d /tmp/vfskit-run.XXXXXX)
trap 'rm -rf "$logs"' EXIT

# session_members SID: the live processes still in that session (a zombie
# is already dead, waiting for init to reap it).
session_members() {
	ps -e -o sid=,stat=,pid=,args= |
		awk -v s="$1" '$1 == s && $2 !~ /^Z/ { $1 = $2 = ""; print substr($0, 3) }'
}

# run_test FILE LOG: runs it in its own session; sets rc, timed_out, leftovers.
run_test() {
	local pid wd own limit=$default_limit
	own=$(sed -n 's/^# limit: \([0-9][0-9]*\) s.*/\1/p' "$1" | head -1)
	[ -n "$own" ] && [ "$own" -gt "$limit" ] && limit=$own
	setsid bash "$1" >"$2" 2>&1 </dev/null &
	pid=$!
	# The watchdog is a session of its own too, so it can be ended whole.
	setsid bash -c "sleep $limit; touch '$2.timeout'; kill -TERM -- -$pid
		sleep 10; kill -KILL -- -$pid" >/dev/null 2>&1 </dev/null &
	wd=$!
	last_limit=$limit
	wait "$pid"
	rc=$?
	kill -KILL -- "-$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	timed_out=false
	[ -e "$2.timeout" ] && timed_out=true
	leftovers=$(session_members "$pid")
	if [ -n "$leftovers" ]; then
		kill -KILL -- "-$pid" 2>/dev/null
	fi
}

if [ $# = 0 ]; then
	set -- "$dir"/t*.sh
fi
for t in "$@"; do
	name=$(basename "$t" .sh)
	log=$logs/$name.log
	start=$SECONDS
	run_test "$t" "$log"
	cat "$log"
	# Its time: make check has 20 minutes, this says where they go.
	echo "# $name: $((SECONDS - start)) s"
	if $timed_out; then
		echo "# $name: timed out after $last_limit s: its session was killed"
	fi
	if [ -n "$leftovers" ]; then
		echo "# $name: left processes behind (killed now):"
		echo "$leftovers" | sed 's/^/#   /'
	fi
	if [ $rc = 77 ] && ! $timed_out && [ -z "$leftovers" ]; then
		skip=$((skip + 1))
		[ "${CI:-}" = true ] && broken+=("$name (skipped in CI)")
		continue
	fi
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$log" | tail -1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc != 0 ] || [ -z "$line" ] || $timed_out || [ -n "$leftovers" ]; then
		[ "${f:-0}" = 0 ] && fail=$((fail + 1))
		why="exit $rc"
		$timed_out && why="timed out"
		[ -n "$leftovers" ] && why="$why, left processes behind"
		broken+=("$name ($why)")
	fi
done
[ ${#broken[@]} = 0 ] || echo "# failed: ${broken[*]}"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ ${#broken[@]} = 0 ]
