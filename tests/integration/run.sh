#!/bin/bash
# Runs every integration test (tests/integration/t*.sh), each under a time
# limit, and closes with the totals. A test that cannot run here exits 77
# (skip); under CI (CI=true) a skip counts as a failure, because CI has
# root, /dev/fuse and loop devices and nothing may skip there.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0 broken=()
for t in "$dir"/t*.sh; do
	name=$(basename "$t" .sh)
	out=$(timeout -k 10 300 bash "$t" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc = 77 ]; then
		skip=$((skip + 1))
		[ "${CI:-}" = true ] && broken+=("$name (skipped in CI)")
		continue
	fi
	line=$(echo "$out" | grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" | tail -1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc != 0 ] || [ -z "$line" ]; then
		[ $rc = 124 ] && echo "# $name: timed out"
		[ "${f:-0}" = 0 ] && fail=$((fail + 1))
		broken+=("$name (exit $rc)")
	fi
done
[ ${#broken[@]} = 0 ] || echo "# failed: ${broken[*]}"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ ${#broken[@]} = 0 ]
