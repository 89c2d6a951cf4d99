#!/bin/bash
# A real Linux guest: QEMU (TCG) boots Debian's cloud kernels (12's 6.1, 13's 6.12) with the
# initramfs of fixtures/guest/, whose init mounts the virtio-fs share
# through Linux's own driver and checks readdir, read, create and write,
# read back, rename, unlink, file handles, a cache drop and a stale handle
# (ESTALE); against vfs-serve --vhost-user and the C virtiofsd. A guest
# that panics ends in a reported outcome, not a hang.
. "$(dirname "$0")/lib.sh"
plan 16

G=$TOP/build/guest/6.1
VD=/usr/lib/qemu/virtiofsd
command -v qemu-system-x86_64 >/dev/null || skip_all "needs qemu-system-x86 (make check installs it)"
[ -f "$G/initrd.gz" ] || skip_all "needs the guest image: make guest"
[ -x "$VD" ] || skip_all "needs $VD"

# boot SOCKET LOG [APPEND]: QEMU with vhost-user-fs on SOCKET, console to LOG;
# its exit status (124 when the 120 s limit killed it).
boot() {
	timeout 120 qemu-system-x86_64 -accel tcg -smp 1 -m 512M \
		-object memory-backend-memfd,id=mem,size=512M,share=on -numa node,memdev=mem \
		-chardev socket,id=c0,path="$1" -device vhost-user-fs-pci,chardev=c0,tag=vfskit \
		-kernel "${K:-$G}/vmlinuz" -initrd "${K:-$G}/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 ${3:-}" -display none -no-reboot \
		-serial file:"$2" -monitor none >"$2.qemu" 2>&1
}
guest_ok() { grep -a -c '^vfskit-guest: ok ' "$1"; }

mkdir -p "$T_TMP/src"
fresh() { rm -rf "$T_TMP/src"/*; echo "hello from the host" >"$T_TMP/src/hello"; echo victim >"$T_TMP/src/victim"; }

fresh
"$BIN/vfs-serve" --vhost-user="$T_TMP/vs.sock" "$T_TMP/src" 2>"$T_TMP/vs.err" &
spid=$!
T_PIDS+=($spid)
retry 100 test -S "$T_TMP/vs.sock"
start=$SECONDS
boot "$T_TMP/vs.sock" "$T_TMP/vs.log"
rc=$?
grep -a '^vfskit-guest:' "$T_TMP/vs.log" | sed 's/^/# vfs-serve: /'
check_eq "vfs-serve: the guest booted and powered off" 0 $rc
check_eq "vfs-serve: all 13 guest checks ok" 13 "$(guest_ok "$T_TMP/vs.log")"
check "... and the guest got to its end" grep -aq '^vfskit-guest: done' "$T_TMP/vs.log"
check "... in under a minute" [ $((SECONDS - start)) -lt 60 ]
wait $spid
check_eq "vfs-serve exits 0 when QEMU hangs up" 0 $?
check "... what the guest made and removed is gone from the host, the rest is there" \
	sh -c "[ ! -e '$T_TMP/src/new' ] && [ ! -e '$T_TMP/src/renamed' ] && [ ! -e '$T_TMP/src/victim' ] && [ -e '$T_TMP/src/hello' ]"

# Debian 13's kernel (virtio-fs built in, nothing to load): the same checks.
fresh
"$BIN/vfs-serve" --vhost-user="$T_TMP/vs12.sock" "$T_TMP/src" 2>>"$T_TMP/vs.err" &
spid=$!
T_PIDS+=($spid)
retry 100 test -S "$T_TMP/vs12.sock"
K=$TOP/build/guest/6.12 boot "$T_TMP/vs12.sock" "$T_TMP/vs12.log"
rc=$?
grep -a '^vfskit-guest:' "$T_TMP/vs12.log" | sed 's/^/# vfs-serve, 6.12: /'
check_eq "6.12 guest: booted and powered off" 0 $rc
check_eq "6.12 guest: all 13 guest checks ok" 13 "$(guest_ok "$T_TMP/vs12.log")"
wait $spid
check_eq "... and vfs-serve exits 0 after it" 0 $?

fresh
"$VD" --socket-path="$T_TMP/vd.sock" -o source="$T_TMP/src" 2>"$T_TMP/vd.err" &
vpid=$!
T_PIDS+=($vpid)
retry 100 test -S "$T_TMP/vd.sock"
boot "$T_TMP/vd.sock" "$T_TMP/vd.log"
rc=$?
grep -a '^vfskit-guest:' "$T_TMP/vd.log" | sed 's/^/# virtiofsd: /'
check_eq "C virtiofsd: the guest booted and powered off" 0 $rc
check_eq "C virtiofsd: all 13 guest checks ok" 13 "$(guest_ok "$T_TMP/vd.log")"
wait $vpid
check_eq "the C virtiofsd exits 0 when QEMU hangs up" 0 $?
rm -f "/run/virtiofsd/.$(echo "$T_TMP/vd.sock" | tr / .).pid" # it never removes its pidfile

# A guest whose init cannot run panics: QEMU ends (-no-reboot, panic=-1), the test goes on.
"$BIN/vfs-serve" --vhost-user="$T_TMP/vs2.sock" "$T_TMP/src" 2>>"$T_TMP/vs.err" &
spid=$!
T_PIDS+=($spid)
retry 100 test -S "$T_TMP/vs2.sock"
start=$SECONDS
boot "$T_TMP/vs2.sock" "$T_TMP/panic.log" "rdinit=/nonexistent"
rc=$?
check_eq "a guest that panics: QEMU exits by itself, not at the time limit" 0 $rc
check "... the console shows the panic" grep -aq "Kernel panic" "$T_TMP/panic.log"
check "... within 30 s" [ $((SECONDS - start)) -lt 30 ]
wait $spid
check_eq "... and vfs-serve exits 0 after it" 0 $?
finish
