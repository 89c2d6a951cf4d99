#!/bin/bash
# vfs-scenario --guest=vm: the four handle families, unchanged, in a real
# Linux guest (QEMU/TCG, Debian's kernel, Linux's own virtio-fs driver)
# against the C virtiofsd and vfs-serve --vhost-user, outcomes asserted
# per target; the README's foreign-daemon command; and a guest that
# cannot boot is a FAIL with its console, with nothing left running.
. "$(dirname "$0")/lib.sh"
plan 36

SC=$BIN/vfs-scenario
VD=/usr/lib/qemu/virtiofsd
command -v qemu-system-x86_64 >/dev/null || skip_all "needs qemu-system-x86 (make check installs it)"
[ -f "$TOP/build/guest/6.1/initrd.gz" ] || skip_all "needs the guest image: make guest"
[ -x "$VD" ] || skip_all "needs $VD"
cd "$TOP" || exit 1
no_qemu() { ! pgrep -f "qemu-system-x86_64 .*vfs-scenario" >/dev/null; }

# Under ASan the C virtiofsd is the same binary: the whole families run on vfs-serve's column only.
targets=virtiofsd,fixed-vhost
[ "$BUILD" = build-san ] && targets=fixed-vhost
start=$SECONDS
"$SC" --guest=vm --targets=$targets id-reuse generation mount-fd duplicate >"$T_TMP/vm" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/vm" | grep -v '^#   '
check_eq "the families in a VM: every outcome as declared" 0 $rc
check "... nothing FAILs" sh -c "! grep -Eq '^[a-z-]+/[a-z-]+ .*FAIL' '$T_TMP/vm'"
check "... mount scenarios ran in the guest (a fixed-vhost column of PASS)" \
	grep -Eq "^id-reuse/host-unlink +(SKIP +)?PASS" "$T_TMP/vm"
check "... background blocks run there (walk-forget: drop-caches in an agent session beside the walks)" \
	grep -Eq "^duplicate/walk-forget +(PASS +)?PASS *$" "$T_TMP/vm"
check "... all of it within 5 minutes" [ $((SECONDS - start)) -lt 300 ]
# The C virtiofsd's column: under ASan, on the three scenarios it is asserted by.
cvd=$T_TMP/vm
if [ "$BUILD" = build-san ]; then
	cvd=$T_TMP/vm-cvd
	"$SC" --guest=vm --targets=virtiofsd generation/reuse-after-forget id-reuse/across-forget \
		id-reuse/host-unlink >"$cvd" 2>&1
fi
check "the C virtiofsd in a real guest: an old handle opens the new file (finding 14)" \
	grep -Eq "^generation/reuse-after-forget +bug reproduced" "$cvd"
check "... across FORGET too" grep -Eq "^id-reuse/across-forget +bug reproduced" "$cvd"
check "... its premise SKIPs say why (it pins inode numbers with O_PATH fds)" \
	grep -q "SKIP id-reuse/host-unlink \[virtiofsd-c@6.1\]: premise did not hold" "$cvd"
check "no QEMU is left" no_qemu

"$SC" --guest=cloud scenarios >/dev/null 2>"$T_TMP/err"
check "--guest=cloud is refused, saying what it takes" grep -q "invalid value 'cloud' for --guest: want mount or vm" "$T_TMP/err"
"$SC" --vhost-user true scenarios >/dev/null 2>"$T_TMP/err"
check "--vhost-user without {socket} or {fd} is refused" grep -q "needs {socket} or {fd}" "$T_TMP/err"

# Two guest kernels: a column each, the protocol scenarios in the first
# only, and a scenario whose outcome changes with the kernel named so.
"$SC" --guest=vm --guest-kernel=6.1,6.12 --targets=fixed-vhost id-reuse/host-unlink \
	protocol/short-header >"$T_TMP/k2" 2>&1
check_eq "--guest-kernel=6.1,6.12: every outcome as declared" 0 $?
check "... a column per kernel, the mount scenario PASS in both" \
	grep -Eq "^id-reuse/host-unlink +PASS +PASS *$" "$T_TMP/k2"
check "... the protocol scenario in the first kernel's column, n/a in the second" \
	grep -Eq "^protocol/short-header +PASS +n/a *$" "$T_TMP/k2"
check "... headed fixed-vhost@6.1 and fixed-vhost@6.12, with the seconds each took" \
	sh -c "grep -Eq '^SCENARIO +fixed-vhost@6.1 +fixed-vhost@6.12 *$' '$T_TMP/k2' && grep -Eq '^\(seconds\) +[0-9.]+ +[0-9.]+ *$' '$T_TMP/k2'"
printf 'title T\ncase other\nfixture tmpfs\nexpect 6.1 guest kernel\n' >"$T_TMP/k.scn"
"$SC" --guest=vm --guest-kernel=6.1,6.12 --targets=fixed-vhost "$T_TMP/k.scn" >"$T_TMP/k" 2>&1
check_eq "a scenario that holds on one kernel only: exit 1" 1 $?
check "... reported as a kernel difference" \
	grep -q "^kernel difference .* \[fixed-vhost\]: 6.1 PASS, 6.12 FAIL$" "$T_TMP/k"
"$SC" --guest-kernel=6.12 "$T_TMP/k.scn" >/dev/null 2>"$T_TMP/err"
check "--guest-kernel without --guest=vm is refused" grep -q "is for --guest=vm" "$T_TMP/err"
"$SC" --guest=vm --guest-kernel=6.2 "$T_TMP/k.scn" >/dev/null 2>"$T_TMP/err"
check "--guest-kernel=6.2 is refused, naming the kernels" grep -q "invalid value '6.2' for --guest-kernel: want 6.1, 6.12" "$T_TMP/err"
"$SC" --jobs=0 "$T_TMP/k.scn" >/dev/null 2>"$T_TMP/err"
check "--jobs=0 is refused, saying what it takes" grep -q "invalid value '0' for --jobs: want 1 to 48 columns at once" "$T_TMP/err"

# Background blocks in the guest: each on an agent session of its own,
# at the same time as the scenario. The block holds a FIFO's writer
# while it waits for a reader of a second FIFO the scenario opens only
# after its own read of the first: a run that did not overlap them would
# block (each open waits for its other end) and fail within the step limit.
cat >"$T_TMP/bg.scn" <<'EOF'
title Background blocks in one guest: at the same time, each its own agent
case other
fixture tmpfs

host mknod p fifo
host mknod q fifo
background a
expect ok guest open w p rw
expect ok guest open r2 q
expect ok guest write a "from a"
end
background h
host write h "from the host"
end
expect ok guest open r p
expect ok guest open w2 q rw
join a
join h
expect "from a" host read a
expect "from the host" guest read h
EOF
"$SC" --guest=vm --targets=fixed-vhost "$T_TMP/bg.scn" >"$T_TMP/bg" 2>&1
check_eq "a background block in the guest runs beside the scenario (a FIFO rendezvous both ways)" 0 $?
check "... PASS in the VM column" grep -Eq "^([^ ]*/)?bg +PASS *$" "$T_TMP/bg"
printf 'title T\ncase other\nfixture tmpfs\nhost write f "x"\nbackground a\nexpect "y" guest read f\nend\njoin a\n' \
	>"$T_TMP/bgfail.scn"
"$SC" --guest=vm --targets=fixed-vhost "$T_TMP/bgfail.scn" >"$T_TMP/bgfail" 2>&1
check_eq "a witness failing in a guest's background block: exit 1" 1 $?
check "... FAIL, the report naming the block and the step" sh -c \
	"grep -q '^background a (line 5):' '$T_TMP/bgfail' && grep -q 'bgfail.scn:6: guest read f' '$T_TMP/bgfail'"
{ printf 'title T\ncase other\nfixture tmpfs\n'
  for b in a b c; do printf 'background %s\nguest write %s "x"\nend\n' $b $b; done
  printf 'join a\njoin b\njoin c\n'; } >"$T_TMP/bg3.scn"
"$SC" --guest=vm --targets=fixed-vhost "$T_TMP/bg3.scn" >"$T_TMP/bg3" 2>&1
check_eq "three blocks with guest steps at once in a VM: exit 1" 1 $?
check "... a runner error saying the agent has two sessions for them" grep -q \
	"runner error: more than 2 background blocks with guest steps at once in a VM (its agent has 2 sessions for them)" \
	"$T_TMP/bg3"
check "no QEMU is left" no_qemu

# A scenario's "limit nofile" holds on the VM's daemon too; a daemon
# that will not run under it is a SKIP saying so, never a verdict.
"$SC" --guest=vm --targets=virtiofsd-c,virtiofsd-rs fd-budget/walk-many >"$T_TMP/lim" 2>&1
check_eq "limit nofile=128 in a VM: every outcome as declared" 0 $?
check "... the C virtiofsd runs out of fds (EMFILE) as the scenario declares" \
	grep -q "^bug fd-budget/walk-many \[virtiofsd-c@6.1\]: guest walk .: expected \"301\", got EMFILE" "$T_TMP/lim"
check "... the Rust virtiofsd refuses to start under it: SKIP with its own words" \
	grep -q "^SKIP fd-budget/walk-many \[virtiofsd-rs@6.1\]: the daemon does not run under limit nofile=128 (exit 1): .*must be at least" "$T_TMP/lim"

# A value longer than the runner's read-ahead of the agent's replies (16 KiB).
printf 'title T\ncase other\nfixture tmpfs\nset a "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"\nrepeat 8\nset a "$a$a"\nend\nhost write f "$a"\nexpect "$a" guest read f\n' >"$T_TMP/big.scn"
"$SC" --guest=vm --targets=fixed-vhost "$T_TMP/big.scn" >"$T_TMP/big" 2>&1
check "a 16 KiB value comes back from the guest whole" grep -q "^vfs-scenario: 1 passed, 0 failed" "$T_TMP/big"

# The README's command: any vhost-user daemon, its {socket}, in the guest.
"$SC" --guest=vm --vhost-user "$VD --socket-path={socket} -o source={source}" \
	scenarios/mount-fd/fifo-first.scn scenarios/generation/reuse-after-forget.scn >"$T_TMP/foreign" 2>&1
check_eq "--guest=vm --vhost-user: exit 1 (the C virtiofsd's bug is a FAIL there)" 1 $?
check "... mount-fd/fifo-first PASS in the guest" grep -Eq "^mount-fd/fifo-first +PASS" "$T_TMP/foreign"
check "... reuse-after-forget FAIL, the old handle opening the new file" \
	sh -c "grep -A3 'FAILED generation/reuse-after-forget' '$T_TMP/foreign' | grep -q 'got:      \"new\"'"

# A guest that cannot boot: FAIL with its console, the runner goes on.
mkdir -p "$T_TMP/bad"
cp "$TOP/build/guest/6.1/vmlinuz" "$T_TMP/bad/"
head -c 4096 /dev/urandom >"$T_TMP/bad/initrd.gz"
start=$SECONDS
"$SC" --guest=vm --guest-image="$T_TMP/bad" --targets=fixed-vhost scenarios/mount-fd/fifo-first.scn >"$T_TMP/out" 2>&1
check "a guest that panics at boot: FAIL saying the guest did not come up" \
	grep -q "the guest did not come up: " "$T_TMP/out"
check "... with the panic from its console, within 60 s, no QEMU left" \
	sh -c "grep -q 'Kernel panic' '$T_TMP/out' && [ $((SECONDS - start)) -lt 60 ] && ! pgrep -f 'qemu-system-x86_6[4] .*vfs-scenario'"
finish
