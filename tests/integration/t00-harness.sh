#!/bin/bash
# The harness itself: run.sh must end, in bounded time, and count as
# failures a test that hangs, a test that leaves a process behind (here a
# child blocked opening a FIFO, holding the test's output), a test that
# dies early with status 0, and one that runs fewer checks than planned;
# a test's own "# limit: N s" line raises its limit, and still ends a hang.
. "$(dirname "$0")/lib.sh"
plan 15
H=$(dirname "$0")/harness

# harness OUT TESTS...: run.sh on them, with a 3 s limit; its exit status.
harness() {
	local out=$1
	shift
	T_LIMIT=3 ORPHAN_DIR=${ORPHAN_DIR:-} timeout -k 5 60 bash "$(dirname "$0")/run.sh" "$@" >"$out" 2>&1
}

harness "$T_TMP/good" "$H/good.sh"
check_eq "a passing test passes" 0 $?
check "... with its totals" grep -q "^integration: 2 passed, 0 failed, 0 skipped$" "$T_TMP/good"

mkdir "$T_TMP/orphan.d"
ORPHAN_DIR=$T_TMP/orphan.d harness "$T_TMP/orphan" "$H/orphan.sh"
rc=$?
check "a test that leaves a child behind: the harness ends" test $rc != 124
check_eq "... and fails" 1 $rc
check "... naming the child" grep -q "^#  .*orphan-reader" "$T_TMP/orphan"
check "... which is gone afterwards" sh -c "! pgrep -f 'orphan-[r]eader' >/dev/null"

harness "$T_TMP/hang" "$H/hang.sh"
rc=$?
check "a test that hangs: the harness ends" test $rc != 124
check_eq "... and fails" 1 $rc
check "... saying it timed out" grep -q "hang: timed out after 3 s" "$T_TMP/hang"

harness "$T_TMP/slow" "$H/slow.sh"
check_eq "a test that declares '# limit: 10 s' may run past the 3 s default" 0 $?
# hang.sh declaring 5 s, with lib.sh sourced from where it is, not from the copy's place.
lib=$(cd "$(dirname "$0")" && pwd)/lib.sh
sed -e 's/^# Never ends by itself.*/# limit: 5 s/' -e "s|^\. .*lib\.sh\"\$|. '$lib'|" "$H/hang.sh" \
	>"$T_TMP/hang-declared.sh"
harness "$T_TMP/slow-hang" "$T_TMP/hang-declared.sh"
check "... a declared limit still ends a hang, at that limit" \
	grep -q "hang-declared: timed out after 5 s" "$T_TMP/slow-hang"

harness "$T_TMP/early" "$H/early.sh"
check_eq "a test that exits 0 before it finished fails" 1 $?
check "... saying so" grep -q "^not ok 2 - early ended (exit 0) before it finished" "$T_TMP/early"

harness "$T_TMP/short" "$H/short.sh"
check_eq "a test that runs fewer checks than planned fails" 1 $?
check "... saying so" grep -q "short planned 2 checks, ran 1" "$T_TMP/short"
sed 's/^/# /' "$T_TMP/orphan"
finish
