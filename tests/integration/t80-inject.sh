#!/bin/bash
# vfs-inject: faults injected into unmodified programs (a test program,
# vfs-serve, the Debian C virtiofsd inside its sandbox) and into vfs-serve
# through its control socket; refusals before the target starts; exit
# status passed through; a dead supervisor does not hang the target.
. "$(dirname "$0")/lib.sh"
plan 44

INJ=$BIN/vfs-inject
HC=$HELPERS/handle_calls
echo data >"$T_TMP/f"

out=$("$INJ" exec --fail name_to_handle_at=EOPNOTSUPP:nth=2 --log "$T_TMP/log" -- "$HC" name "$T_TMP/f" 3)
check_eq "only the second name_to_handle_at fails, with EOPNOTSUPP" "1 ok 2 EOPNOTSUPP 3 ok" "$(echo $out)"
check "the injected call is logged as JSON" grep -q '"syscall":"name_to_handle_at","args":"path='"$T_TMP"'/f","errno":"EOPNOTSUPP","call":2' "$T_TMP/log"
check "... with pid and tid" grep -Eq '"pid":[0-9]+,"tid":[0-9]+' "$T_TMP/log"
check_eq "one line per injected call" 1 "$(wc -l <"$T_TMP/log")"

out=$("$INJ" exec --fail open_by_handle_at=ESTALE:first=2 -- "$HC" open "$T_TMP/f" 3)
check_eq "open_by_handle_at fails with ESTALE on the first two calls" "1 ESTALE 2 ESTALE 3 ok" "$(echo $out)"
out=$("$INJ" exec --fail name_to_handle_at=EIO:forked -- "$HC" fork "$T_TMP/f")
check_eq "forked: only the child's call fails" "parent 1 ok child 1 EIO" "$(echo $out)"
out=$("$INJ" exec --fail "name_to_handle_at=EIO:path=$T_TMP/other" -- "$HC" name "$T_TMP/f" 2)
check_eq "a path that does not match passes the call through" "1 ok 2 ok" "$(echo $out)"
out=$("$INJ" exec --fail "name_to_handle_at=EIO:path=$T_TMP/*" -- sh -c "'$HC' name '$T_TMP/f' 1")
check_eq "a child of the target is covered, path matched by glob" "1 EIO" "$out"
"$INJ" exec --fail statx=EIO -- sh -c 'exit 7'
check_eq "the target's exit status passes through" 7 $?
"$INJ" exec --fail statx=EIO -- sh -c 'kill -9 $$'
check_eq "a target killed by SIGKILL gives 137" 137 $?
"$INJ" exec --fail statx=EIO -- "$T_TMP/nonexistent" 2>/dev/null
check_eq "a command that does not exist gives 127" 127 $?

# Bad specs: exit 2, a message, and the target never starts.
refused() {
	"$INJ" exec --fail "$1" -- touch "$T_TMP/started" 2>"$T_TMP/err"
	local rc=$?
	if [ $rc = 2 ] && grep -q -- "$2" "$T_TMP/err" && [ ! -e "$T_TMP/started" ]; then
		ok "refused before starting: $1"
	else
		not_ok "refused before starting: $1 (exit $rc: $(cat "$T_TMP/err"))"
	fi
}
refused "frobnicate=EIO" "unknown syscall 'frobnicate'"
refused "statx=EWHAT" "unknown errno 'EWHAT'"
refused "statx" "want SYSCALL=ERRNO"
refused "statx=EIO:nth=0" "bad clause 'nth=0'"
refused "statx=EIO:prob=7" "bad clause 'prob=7'"
refused "statx=EIO:sometimes" "bad clause 'sometimes'"
refused "openat=EIO:flags=O_NOPE" "unknown open flag"
refused "open_by_handle_at=EIO:path=/x" "open_by_handle_at has no path"
refused "statx=EIO:flags=O_RDONLY" "statx has no open flags"
"$INJ" exec 2>"$T_TMP/err"
check_eq "exec without a command exits 2" 2 $?
"$INJ" --bogus 2>/dev/null
check_eq "an unknown option exits 2" 2 $?

# The supervisor dies: the target's watched calls fail with ENOSYS, it
# does not hang.
"$INJ" exec --fail "name_to_handle_at=EIO:path=/nothing" -- "$HC" loop "$T_TMP/f" >"$T_TMP/loop" &
ipid=$!
# By its name: vfs-inject's own command line also says "handle_calls loop".
retry 200 pgrep -x handle_calls >/dev/null
kill -9 $ipid
wait $ipid 2>/dev/null
loop_gone() { ! pgrep -x handle_calls >/dev/null; }
check "with the supervisor gone, the target ends" retry 200 loop_gone
check "... having seen ENOSYS" grep -q "ENOSYS" "$T_TMP/loop"

# Only vfs-serve's mount fd open fails: the documented fallback follows.
src=$T_TMP/src
mnt=$T_TMP/mnt
mkdir -p "$src" "$mnt" && echo x >"$src/file"
"$INJ" exec --fail "openat=EACCES:flags=O_NOCTTY" --log "$T_TMP/ilog" -- \
	"$BIN/vfs-serve" --inode-file-handles=prefer --log "$T_TMP/decisions" "$src" "$mnt" &
spid=$!
T_PIDS+=("$spid")
T_MOUNTS+=("$mnt")
retry 200 mountpoint -q "$mnt"
check_eq "vfs-serve under vfs-inject serves the file" x "$(cat "$mnt/file")"
check "the mount fd open failed by injection" grep -q '"syscall":"openat".*"errno":"EACCES"' "$T_TMP/ilog"
check "vfs-serve logged mount_fd_failed" grep -q '"event":"mount_fd_failed".*"errno":"EACCES"' "$T_TMP/decisions"
check "... and fell back to O_PATH (no mount fd)" grep -q '"event":"fallback_opath".*"reason":"no mount fd"' "$T_TMP/decisions"
check_eq "no other open was failed" 1 "$(grep -c . "$T_TMP/ilog")"
fusermount3 -u "$mnt"
wait $spid
check_eq "vfs-serve's clean exit passes through" 0 $?

# The Debian C virtiofsd: the fault fires inside its sandbox (after it
# unshared namespaces, pivot_root'ed into the source and loaded its own
# seccomp filter): its open("/", O_PATH) of the new root.
VFSD=/usr/lib/qemu/virtiofsd
if [ -x $VFSD ]; then
	mkdir -p "$T_TMP/vsrc"
	"$INJ" exec --fail "openat=EACCES:path=/:flags=O_PATH" --log "$T_TMP/vlog" -- \
		$VFSD --socket-path="$T_TMP/vsock" -o source="$T_TMP/vsrc" >"$T_TMP/vout" 2>&1 &
	vpid=$!
	T_PIDS+=("$vpid")
	retry 200 test -S "$T_TMP/vsock"
	# A vhost-user front-end connecting is what makes virtiofsd sandbox itself.
	perl -MSocket -e 'socket(S, PF_UNIX, SOCK_STREAM, 0); connect(S, pack_sockaddr_un($ARGV[0])) or die "connect: $!\n"; sleep 10' "$T_TMP/vsock" &
	cpid=$!
	T_PIDS+=("$cpid")
	wait $vpid
	check_eq "virtiofsd stops with its own error status" 1 $?
	check "virtiofsd saw the injected EACCES for its new root" grep -q "open($T_TMP/vsrc, O_PATH): Permission denied" "$T_TMP/vout"
	check "it came after it received the connection (inside its sandbox)" \
		grep -q "Received vhost-user socket connection" "$T_TMP/vout"
	check "vfs-inject logged the call" grep -q '"syscall":"openat","args":"path=/ flags=0x200000","errno":"EACCES"' "$T_TMP/vlog"
	vfsd_main=$(grep -o '"pid":[0-9]*' "$T_TMP/vlog" | head -1 | cut -d: -f2)
	check "... from virtiofsd's sandboxed child, not the process started" [ "$vfsd_main" != "$vpid" ]
	kill $cpid 2>/dev/null
else
	not_ok "virtiofsd not installed ($VFSD; apt-get install qemu-system-common)"
fi

# Through vfs-serve's control socket.
serve "$src" "$mnt" --inode-file-handles=prefer || exit 1
out=$("$INJ" --control "$mnt.ctl" arm handle_generate EIO nth=2)
"$INJ" --control "$mnt.ctl" arm opath_open EACCES >/dev/null
check "--control arm without a schedule (every call)" sh -c "'$INJ' --control '$mnt.ctl' list | grep -q 'fault opath_open armed errno=EACCES schedule=every'"
"$INJ" --control "$mnt.ctl" clear opath_open >/dev/null
check "--control arm" grep -q "^ok armed handle_generate" <<<"$out"
for n in 1 2 3; do echo $n >"$src/n$n"; stat "$mnt/n$n" >/dev/null 2>&1; done
out=$("$INJ" --control "$mnt.ctl" list)
check "--control list reports how often it fired" \
	grep -q "^fault handle_generate armed errno=EIO schedule=nth=2 calls=3 fired=1$" <<<"$out"
check "--control clear" "$INJ" --control "$mnt.ctl" clear all
"$INJ" --control "$mnt.ctl" arm nowhere EIO 2>"$T_TMP/err"
check_eq "--control: an unknown point exits 1" 1 $?
check "... with vfs-serve's reason" grep -q "unknown fault point 'nowhere'" "$T_TMP/err"
"$INJ" --control "$mnt.ctl" poke 2>/dev/null
check_eq "--control: an unknown command exits 2" 2 $?
"$INJ" --control "$T_TMP/nosock" list 2>/dev/null
check_eq "--control: no such socket exits 1" 1 $?
check "clean unmount" unserve "$mnt"
finish
