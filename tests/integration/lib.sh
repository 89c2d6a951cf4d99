# lib.sh: what every integration test sources.
#
# Each test gets a private temporary directory; every mount, loop device and
# server it starts is recorded and undone on EXIT, INT and TERM, whether
# the test passed, failed or was interrupted. Results are TAP lines, a
# plan ("plan N" declares how many checks the script makes) and a closing
# "NAME: N passed, N failed". A test fails by default: a script that exits
# before finish(), or runs another number of checks than it planned, fails.
set -u

BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/$BUILD/bin
HELPERS=$TOP/$BUILD/tests
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
T_MOUNTS=()
T_LOOPS=()
T_PIDS=()
T_RUNNERS=() # vfs-scenario runs in the background: what their work dirs hold is undone too
T_PLAN=
T_DONE=false

skip_all() {
	echo "1..0 # SKIP $T_NAME: $*"
	T_DONE=true
	exit 77
}

# plan N: the number of checks this script makes, before the first.
plan() {
	T_PLAN=$1
	echo "1..$1"
}

[ "$(id -u)" = 0 ] || skip_all "needs root (mounts, loop devices)"
[ -c /dev/fuse ] || skip_all "needs /dev/fuse"

T_TMP=$(mktemp -d "/tmp/vfskit-$T_NAME.XXXXXX")
chmod 755 "$T_TMP" # tests also act as an unprivileged user

# undo_runner PID: a vfs-scenario run killed by a test, or dying with it.
# Its private mount namespace takes its mounts and loop devices away once
# no process is left in it; a server that outlived the runner would keep it
# (and its ext4 loop device) alive, so every process of its work directory
# is killed first, then any loop device still backed from it detached.
runner_gone() { ! pgrep -f "vfs-scenario\.$1/" >/dev/null; }

undo_runner() {
	local r=$1 l
	{ kill -KILL "$r" && wait "$r"; } 2>/dev/null
	pkill -KILL -f "vfs-scenario\.$r/" 2>/dev/null
	retry 100 runner_gone "$r"
	for l in $(losetup -l -n -O NAME,BACK-FILE | awk -v p="/tmp/vfs-scenario.$r/" 'index($2, p) == 1 { print $1 }'); do
		losetup -d "$l" 2>/dev/null
	done
	# What a SIGKILLed runner leaves on the host: its empty work directory.
	rmdir "/tmp/vfs-scenario.$r" 2>/dev/null
}

t_cleanup() {
	local m p l
	for ((i = ${#T_MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${T_MOUNTS[i]}
		if mountpoint -q "$m" 2>/dev/null; then
			fusermount3 -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		fi
	done
	for p in "${T_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for p in "${T_RUNNERS[@]}"; do
		undo_runner "$p"
	done
	for l in "${T_LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null
	done
	rm -rf "$T_TMP"
}

# On EXIT: a script that did not reach finish() has failed, whatever its
# exit status was.
t_exit() {
	local rc=$?
	if ! $T_DONE; then
		not_ok "$T_NAME ended (exit $rc) before it finished"
		echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
		rc=1
	fi
	t_cleanup
	exit $rc
}
trap t_exit EXIT
trap 'echo "# $T_NAME: interrupted"; exit 130' INT TERM

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok $((T_PASS + T_FAIL)) - $*"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $((T_PASS + T_FAIL)) - $*"
}

# check DESC COMMAND...: passes when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

quiet() {
	"$@" >/dev/null
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   expected: $2"
		echo "#   got:      $3"
	fi
}

# retry N CMD...: runs CMD until it succeeds, at most N times 50 ms apart.
# For conditions that come true asynchronously (a mount appearing, the
# kernel's FORGETs arriving), never as a stand-in for an event.
retry() {
	local n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.05
	done
}

# serve SOURCE MOUNTPOINT [vfs-serve options...]: mounts and waits for it.
# Sets SERVE_PID. The control socket is $MOUNTPOINT.ctl.
serve() {
	local src=$1 mnt=$2
	shift 2
	mkdir -p "$mnt"
	"$BIN/vfs-serve" --control "$mnt.ctl" "$@" "$src" "$mnt" 2>>"$T_TMP/serve.err" &
	SERVE_PID=$!
	T_PIDS+=("$SERVE_PID")
	T_MOUNTS+=("$mnt")
	if ! retry 200 mountpoint -q "$mnt"; then
		echo "# vfs-serve did not mount $mnt: $(tail -3 "$T_TMP/serve.err")"
		return 1
	fi
}

# unserve MOUNTPOINT: unmounts and waits for the server; its exit status.
unserve() {
	fusermount3 -u "$1" || return 1
	wait "$SERVE_PID"
}

ctl() {
	"$HELPERS/vfs-ctl" "$1.ctl" "${@:2}"
}

# invariants MOUNTPOINT: the store's invariants hold (violations printed).
invariants() {
	local out
	out=$(ctl "$1" check) && return 0
	echo "$out" | sed 's/^/#   /'
	return 1
}

# counter MOUNTPOINT NAME: one counter's value.
counter() {
	ctl "$1" counters | awk -v k="$2" '$1 == k { print $2 }'
}

# make_ext4 DIR [INODES]: a small ext4 image, loop-mounted on DIR.
make_ext4() {
	local dir=$1 inodes=${2:-64} img="$T_TMP/$(basename "$1").img" loop
	truncate -s 16M "$img" && mkfs.ext4 -q -F -N "$inodes" "$img" || return 1
	loop=$(losetup -f --show "$img") || return 1
	T_LOOPS+=("$loop")
	mkdir -p "$dir"
	mount "$loop" "$dir" || return 1
	T_MOUNTS+=("$dir")
}

# make_tmpfs DIR
make_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o size=64M tmpfs "$1" && T_MOUNTS+=("$1")
}

drop_caches() {
	sync
	echo 2 >/proc/sys/vm/drop_caches
}

finish() {
	local ran=$((T_PASS + T_FAIL))
	T_DONE=true
	if [ -z "$T_PLAN" ]; then
		not_ok "$T_NAME declares no plan"
	elif [ "$ran" != "$T_PLAN" ]; then
		not_ok "$T_NAME planned $T_PLAN checks, ran $ran"
	fi
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}
