#!/bin/sh
# vfskit-ci.sh: the vfskit steps of a daemon project's CI, the same under
# GitLab CI and GitHub Actions (gitlab-ci.yml, github-actions.yml here):
#
#   vfskit-ci.sh shard K N OUT
#       runs part K of N of the matrix: OUT/shard-K.json and OUT/shard-K.xml
#       (JUnit, for the CI's test report). Exits 0 when the run's results
#       are written, whatever they say: the gate judges them all at once.
#   vfskit-ci.sh gate OUT [BASELINE.json]
#       merges OUT/shard-*.json into OUT/results.json and OUT/results.html,
#       then compares them with BASELINE (the last release's results.json):
#       OUT/compare.txt and OUT/compare.html; exits 1 on a regression.
#       Without a baseline, every cell not as declared is one.
#
# VFSKIT_ARGS       the targets and the daemon under test, e.g.
#                   "--targets=virtiofsd-rs --virtiofsd-rs=$PWD/target/release/virtiofsd"
# VFSKIT_SCENARIOS  which scenarios (default: every installed one)
# VFS_SCENARIO      the runner (default: vfs-scenario on PATH)
set -u

VFS_SCENARIO=${VFS_SCENARIO:-vfs-scenario}
die() {
	echo "vfskit-ci.sh: $*" >&2
	exit 2
}

shard() {
	[ $# = 3 ] || die "usage: vfskit-ci.sh shard K N OUT"
	mkdir -p "$3" || die "cannot make $3"
	# shellcheck disable=SC2086 # word lists, by design
	"$VFS_SCENARIO" ${VFSKIT_ARGS:-} --shard="$1/$2" --results="$3/shard-$1.json" \
		--junit="$3/shard-$1.xml" ${VFSKIT_SCENARIOS:-}
	rc=$?
	[ $rc -le 1 ] || die "vfs-scenario stopped with status $rc: shard $1/$2 has no results"
	echo "vfskit-ci.sh: shard $1/$2: $3/shard-$1.json"
}

gate() {
	[ $# = 1 ] || [ $# = 2 ] || die "usage: vfskit-ci.sh gate OUT [BASELINE.json]"
	out=$1
	baseline=${2:-}
	set -- "$out"/shard-*.json
	[ -e "$1" ] || die "no $out/shard-*.json: did the shard jobs hand their results on?"
	"$VFS_SCENARIO" merge --html="$out/results.html" "$@" >"$out/results.json" ||
		die "the shards do not merge (above): $out/results.json is not made"
	if [ -z "$baseline" ] || [ ! -e "$baseline" ]; then
		# Against an empty run of the same release: every cell is added, and a failing one gates.
		version=$(sed -n 's/^  "vfskit":"\(.*\)",$/\1/p' "$out/results.json")
		baseline=$out/empty-baseline.json
		printf '{"format":"vfskit-results","format_version":1,"vfskit":"%s","targets":[],"cells":[]}\n' \
			"$version" >"$baseline"
		echo "vfskit-ci.sh: no baseline given: any cell not as declared fails the gate"
	fi
	"$VFS_SCENARIO" compare --html="$out/compare.html" "$baseline" "$out/results.json" \
		>"$out/compare.txt"
	rc=$?
	cat "$out/compare.txt"
	[ $rc -le 1 ] || die "compare could not read the results (above)"
	return $rc
}

case ${1:-} in
shard | gate)
	cmd=$1
	shift
	"$cmd" "$@"
	;;
*)
	die "usage: vfskit-ci.sh shard K N OUT | gate OUT [BASELINE.json]"
	;;
esac
