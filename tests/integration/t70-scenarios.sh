#!/bin/bash
# vfs-scenario: the matrix of every scenario against every design shows
# each family's bug where declared and passes on the fixed design; output
# formats; refusals; a foreign server; and a runner killed mid-scenario
# leaves no mount, loop device or process behind.
. "$(dirname "$0")/lib.sh"
plan 114

SC=$BIN/vfs-scenario
cd "$TOP" || exit 1

"$SC" --jobs=2 scenarios >"$T_TMP/matrix" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/matrix"
check_eq "the matrix exits 0 (every outcome as declared)" 0 $rc
check "it closes with its totals: on each design supp-groups is n/a (libfuse 3.14 does not take CREATE_SUPP_GROUP), and the three migration scenarios (no device state)" \
	grep -Eq "^vfs-scenario: [0-9]+ passed, 0 failed, 0 skipped, 12 not offered \(n/a\)$" "$T_TMP/matrix"
check "... and says why, with the step and what came" grep -q \
	'^n/a protocol/supp-groups \[fixed\]: the target does not offer it: line [0-9]*, fuse took CREATE_SUPP_GROUP: expected "yes", got "no"$' \
	"$T_TMP/matrix"
check "STATX, TMPFILE and COPY_FILE_RANGE_64 pass on every design (vfs-serve serves them ahead of libfuse)" \
	[ "$(grep -Ec '^protocol/(statx|tmpfile|copy-range-64) +PASS +PASS +PASS *$' "$T_TMP/matrix")" = 3 ]
for fam in id-reuse generation mount-fd duplicate; do
	check "family $fam has at least 3 scenarios" [ "$(ls scenarios/$fam/*.scn | wc -l)" -ge 3 ]
	check "family $fam shows its bug on a buggy design" grep -q "^$fam/.*bug reproduced" "$T_TMP/matrix"
done
check "every scenario passes on the fixed design" \
	awk '/^(id-reuse|generation|mount-fd|duplicate)\// { if ($NF != "PASS") exit 1 }' "$T_TMP/matrix"
check "v3 shows the duplicate inode" grep -Eq "^duplicate/thread +PASS +bug reproduced +PASS" "$T_TMP/matrix"
check "ids-only shows inode ID reuse" grep -Eq "^id-reuse/host-unlink +bug reproduced +PASS +PASS" "$T_TMP/matrix"

"$SC" --tap --junit "$T_TMP/junit.xml" --design=fixed scenarios/duplicate >"$T_TMP/tap"
check_eq "--tap starts with the TAP version" "TAP version 13" "$(head -1 "$T_TMP/tap")"
ndup=$(ls scenarios/duplicate/*.scn | wc -l)
check_eq "--tap plans one test per run" "1..$ndup" "$(sed -n 2p "$T_TMP/tap")"
check "--tap: every run ok" [ "$(grep -c '^ok ' "$T_TMP/tap")" = "$ndup" ]
check "--junit writes a test suite" grep -q '<testsuite name="vfs-scenario" tests="'"$ndup"'" failures="0" skipped="0">' "$T_TMP/junit.xml"
check "--junit: one testcase per run" [ "$(grep -c '<testcase ' "$T_TMP/junit.xml")" = "$ndup" ]

# Scenario files with errors are refused whole, before anything runs.
mkdir -p "$T_TMP/bad"
printf 'title T\ncase other\nfixture tmpfs\nguest frob a\nexpect EWHAT guest read a\n' >"$T_TMP/bad/b.scn"
"$SC" "$T_TMP/bad/b.scn" >"$T_TMP/out" 2>"$T_TMP/err"
check_eq "a bad scenario file exits 2" 2 $?
check "... naming file and line of each error" grep -q "^$T_TMP/bad/b.scn:4: unknown operation 'frob'$" "$T_TMP/err"
check "... all of them" grep -q "^$T_TMP/bad/b.scn:5: unknown errno name 'EWHAT'$" "$T_TMP/err"
check "... and runs nothing" [ ! -s "$T_TMP/out" ]
"$SC" --bogus scenarios >/dev/null 2>"$T_TMP/err"
check_eq "an unknown option exits 2" 2 $?
"$SC" --server 'true' scenarios >/dev/null 2>"$T_TMP/err"
check "--server without placeholders is refused" grep -q "needs {source} and {mountpoint}" "$T_TMP/err"
"$SC" --init=linux-5.4 scenarios >/dev/null 2>"$T_TMP/err"
check "an unknown INIT profile is refused, naming the choices" grep -q \
	"invalid value 'linux-5.4' for --init: want linux-6.1, linux-6.12 or minimal" "$T_TMP/err"
"$SC" --design=v2 scenarios >/dev/null 2>"$T_TMP/err"
check "an unknown design is refused" grep -q "unknown design 'v2'" "$T_TMP/err"
"$SC" --targets=passthrough_hp scenarios >/dev/null 2>"$T_TMP/err"
check "an unknown target is refused" grep -q "unknown target 'passthrough_hp'" "$T_TMP/err"
"$SC" --targets=fixed:chroot,xattr scenarios >/dev/null 2>"$T_TMP/err"
check "a word the target does not take is named, with the ones it does" \
	grep -q "target fixed has no option 'xattr' (none, chroot, namespace)" "$T_TMP/err"
"$SC" --targets=fixed:namespace,chroot,v3 scenarios/other/rename-exchange.scn >/dev/null 2>"$T_TMP/err"
check "two words of one group are refused: commas join words to the target before" \
	grep -q "'namespace' and 'chroot' are both sandbox" "$T_TMP/err"
"$SC" --targets=passthrough_ll --examples="$T_TMP/none" scenarios/other/rename-exchange.scn >"$T_TMP/out" 2>&1
check "a target whose binary is missing is SKIP, saying what to build" \
	grep -q "SKIP other/rename-exchange \[passthrough_ll\]: cannot run $T_TMP/none/passthrough_ll: No such file or directory (build it: make build-tests)" "$T_TMP/out"

# Outcomes that differ from the header make the exit status 1.
printf 'title T\ncase other\nfixture tmpfs\nguest write f "a"\nexpect "b" guest read f\n' >"$T_TMP/wrong.scn"
"$SC" --design=fixed "$T_TMP/wrong.scn" >"$T_TMP/out" 2>&1
check_eq "a failing expectation exits 1" 1 $?
check "... showing the step, what was expected and what came" \
	grep -A2 "wrong.scn:5: guest read f" "$T_TMP/out" | grep -q 'got:      "a"'
check "... and the decision log's tail" grep -q "decision log (last lines):" "$T_TMP/out"
printf 'title T\ncase other\nfixture tmpfs\nfails-on fixed\nguest write f "a"\nwitness expect "a" guest read f\n' >"$T_TMP/nobug.scn"
"$SC" --design=fixed "$T_TMP/nobug.scn" >"$T_TMP/out" 2>&1
check_eq "a declared bug that does not show exits 1" 1 $?
check "... as 'bug missing!'" grep -q "bug missing!" "$T_TMP/out"

# Honest verdicts: on a fails-on design only a witness failing the
# declared way is the bug; any other failure is FAIL.
hdr='title T\ncase other\nfixture tmpfs\nfails-on fixed\n'
printf "$hdr"'guest write f "a"\nexpect "b" guest read f\nwitness expect "a" guest read f\n' >"$T_TMP/other.scn"
"$SC" --design=fixed "$T_TMP/other.scn" >"$T_TMP/out" 2>&1
check_eq "a failure before the witness exits 1" 1 $?
check "... as FAIL, not as the bug" grep -Eq "/other +FAIL" "$T_TMP/out"
check "... with no bug line" sh -c "! grep -q '^bug ' '$T_TMP/out'"
printf "$hdr"'guest write f "a"\nwitness ESTALE expect "b" guest read f\n' >"$T_TMP/otherway.scn"
"$SC" --design=fixed "$T_TMP/otherway.scn" >"$T_TMP/out" 2>&1
check_eq "a witness failing otherwise than declared exits 1" 1 $?
check "... saying so" grep -q "the witness failed, but not as declared: ESTALE" "$T_TMP/out"
printf "$hdr"'guest write f "a"\nwitness "a" expect "b" guest read f\n' >"$T_TMP/asdeclared.scn"
"$SC" --design=fixed "$T_TMP/asdeclared.scn" >"$T_TMP/out" 2>&1
check_eq "a witness failing as declared is the bug (exit 0)" 0 $?
check "... bug reproduced" grep -Eq "/asdeclared +bug reproduced" "$T_TMP/out"

# !"VALUE" fails on that value (it used to compare with the quotes).
printf 'title T\ncase other\nfixture tmpfs\nguest write b "new"\nexpect !"new" guest read b\n' >"$T_TMP/neg.scn"
"$SC" --design=fixed "$T_TMP/neg.scn" >"$T_TMP/out" 2>&1
check_eq '!"new" fails when the read gives "new"' 1 $?
check "... expected anything but \"new\"" grep -q 'expected: anything but "new"' "$T_TMP/out"

# Runner errors: a value past the bound, a path out of the source, an
# unknown counter. Each is FAIL with a message, never a crash.
{ printf 'title T\ncase other\nfixture tmpfs\nset a x\n'; for i in $(seq 40); do echo 'set a $a$a'; done; } >"$T_TMP/bomb.scn"
"$SC" --design=fixed "$T_TMP/bomb.scn" >"$T_TMP/out" 2>&1
check_eq "doubling a variable 40 times exits 1, no crash" 1 $?
check "... saying a word expands past the limit" grep -q "a word expands past 65536 bytes" "$T_TMP/out"
mark=vfskit-escape-$$
printf 'title T\ncase other\nfixture tmpfs\nset up ..\nhost write $up/$up/$up/$up/$up/tmp/%s x\n' "$mark" >"$T_TMP/up.scn"
"$SC" --design=fixed "$T_TMP/up.scn" >"$T_TMP/out" 2>&1
check_eq "a host path with '..' (from a variable) exits 1" 1 $?
check "... refused, naming it" grep -q "path '../../../../../tmp/$mark' has a '..' component" "$T_TMP/out"
printf 'title T\ncase other\nfixture tmpfs\nhost symlink /tmp out\nhost write out/%s x\nguest write out/%s x\n' "$mark" "$mark" >"$T_TMP/sym.scn"
"$SC" --design=fixed "$T_TMP/sym.scn" >"$T_TMP/out" 2>&1
check_eq "a host path through a symlink out of the source exits 1" 1 $?
check "... refused as leading out" grep -q "path 'out/$mark' leads out of" "$T_TMP/out"
check "nothing was written outside the source" test ! -e "/tmp/$mark"
printf 'title T\ncase other\nfixture tmpfs\nguest symlink /tmp out\nguest write out/%s x\n' "$mark" >"$T_TMP/gsym.scn"
"$SC" --design=fixed "$T_TMP/gsym.scn" >"$T_TMP/out" 2>&1
check "a guest path through a symlink out of the mount is refused" grep -q "path 'out/$mark' leads out of" "$T_TMP/out"
check "... and wrote nothing" test ! -e "/tmp/$mark"
printf 'title T\ncase other\nfixture tmpfs\nexpect 0 server counter TYPO\n' >"$T_TMP/typo.scn"
"$SC" --design=fixed "$T_TMP/typo.scn" >"$T_TMP/out" 2>&1
check_eq "an unknown counter exits 1" 1 $?
check "... naming it" grep -q "unknown counter 'TYPO'" "$T_TMP/out"
printf 'title T\ncase other\nfixture tmpfs\nexpect 0 server counter handle_failures.ESTALE\n' >"$T_TMP/pererr.scn"
check "a per-errno counter that never fired is 0" quiet "$SC" --design=fixed "$T_TMP/pererr.scn"

# The settle wait gives up after 5 s, and then fails the step: here a
# process outside the runner keeps a file open on its mount (reached
# through the runner's /proc/PID/root), so the server never gets back to
# the files the guest steps hold.
printf 'title T\ncase other\nfixture tmpfs\nguest write f "x"\nrepeat 10000\nguest stat f size\nend\n' >"$T_TMP/settle.scn"
"$SC" --design=fixed "$T_TMP/settle.scn" >"$T_TMP/out" 2>&1 &
pid=$!
T_RUNNERS+=("$pid")
f=/proc/$pid/root/tmp/vfs-scenario.$pid/run/mnt/f
retry 200 test -s "$f"
exec 9<"$f"
wait $pid
rc=$?
exec 9<&-
check_eq "a settle wait that times out fails the run" 1 $rc
check "... saying the server did not close the files" \
	grep -q "runner error: the server did not close the files the guest closed within 5 s" "$T_TMP/out"

# Every RESULT form fails on a wrong value (each file: a step whose result
# the expectation gets wrong).
hdr='title T\ncase other\nfixture tmpfs\nhost write f "v"\n'
for form in 'ok guest read nope' 'ENOENT guest read f' 'EISDIR guest read nope' 'w guest read f' \
	'"w" guest read f' '!v guest read f' '!"v" guest read f' '!ENOENT guest read nope' \
	'<=0 guest stat f size' '>=2 guest stat f size' '!<=1 guest stat f size'; do
	printf "$hdr"'expect %s\n' "$form" >"$T_TMP/form.scn"
	"$SC" --design=fixed "$T_TMP/form.scn" >/dev/null 2>&1
	check_eq "RESULT form: 'expect $form' fails" 1 $?
done

# Indexed variables, nested repeats with named counters, whole-file reads,
# walks, daemon facts and injected faults, each doing what it says.
cat >"$T_TMP/lang.scn" <<'EOS'
title T
case other
fixture tmpfs
vfs-serve --inode-file-handles=prefer
inject name_to_handle_at=EOPNOTSUPP
repeat 3
repeat 2 j
host write f$i$j "v$i.$j"
guest read f$i$j => r[$i.$j]
end
end
expect "v2.1" guest read f21
set k 2.1
expect "v2.1" guest read f21 => again
host write copy ${r[$k]}
expect "v2.1" host read copy
expect 7 guest walk .
expect <=64 daemon fds
expect >=100 daemon rss
expect >=1 server counter fallbacks_opath
expect >=1 server counter handle_failures.EOPNOTSUPP
EOS
"$SC" -v --design=fixed "$T_TMP/lang.scn" >"$T_TMP/out" 2>&1
check_eq "indexes, nested repeats, walk, daemon facts, inject: all hold" 0 $?
# daemon closed: an fd a RELEASE will close is waited for, a pin is not;
# with ino=N it is "closed" only once the host has freed the number.
cat >"$T_TMP/closed.scn" <<'EOS'
title T
case other
fixture ext4-small
vfs-serve --inode-file-handles=prefer --entry-timeout=0

host mkdir d
guest readdir d                 # the mount fd is d's, not f's
host write f "old"
host stat f ino => f_ino
guest open fd f
expect "old" guest readfd fd
expect open daemon closed f 200
host unlink f
expect open daemon closed ino=$f_ino 200
guest close fd
expect closed daemon closed ino=$f_ino 5000
host write g "new"
expect $f_ino host stat g ino
EOS
"$SC" -v --design=v3 "$T_TMP/closed.scn" >"$T_TMP/out" 2>&1
check_eq "daemon closed: open while the guest has the file open, closed once freed (the number reused)" 0 $?
# A pin is never freed by waiting: 60 s asked, a 20 s limit, so waiting would fail.
cat >"$T_TMP/pin.scn" <<'EOS'
title T
case other
fixture ext4-small

host write f "old"
host stat f ino => f_ino
guest hold pin f
host unlink f
expect closed daemon closed ino=$f_ino 60000
host write g "new"
expect !$f_ino host stat g ino
guest close pin
EOS
"$SC" -v --timeout=20 --design=fixed "$T_TMP/pin.scn" >"$T_TMP/out" 2>&1
check_eq "... a design that pins it with O_PATH: closed at once, the number still taken" 0 $?
head -c 70000 /dev/zero | tr '\0' y >"$T_TMP/big"
printf 'title T\ncase other\nfixture tmpfs\nhost write small "%s"\nexpect %s guest read small\n' \
	"$(head -c 5000 "$T_TMP/big")" "$(head -c 5000 "$T_TMP/big")" >"$T_TMP/whole.scn"
"$SC" --design=fixed "$T_TMP/whole.scn" >"$T_TMP/out" 2>&1
check_eq "read gives a whole 5000-byte file, not 4 KiB of it" 0 $?

# Background blocks: run beside the scenario, joined; a failure inside
# one fails the scenario and names the block.
printf 'title T\ncase other\nfixture tmpfs\nhost write f "x"\nbackground b\nexpect "y" guest read f\nend\nguest read f\njoin b\n' >"$T_TMP/bg.scn"
"$SC" --design=fixed "$T_TMP/bg.scn" >"$T_TMP/out" 2>&1
check_eq "a failing background block fails the scenario" 1 $?
check "... naming the block and its step" grep -A1 "^background b (line 5):" "$T_TMP/out"
check "... and nothing of it is left running" sh -c "! pgrep -f 'vfs-scenari[o] --design=fixed $T_TMP/bg.scn' >/dev/null"
# A failure while a block still runs stops the block; the verdict is the
# failure, and the runner survives a scenario ending in an 'end' line.
printf 'title T\ncase other\nfixture tmpfs\nhost write f "x"\nbackground b\nrepeat 200\nguest read f\nend\nend\nexpect "y" guest read f\nrepeat 1\nguest read f\nend\n' >"$T_TMP/bgkill.scn"
"$SC" --design=fixed "$T_TMP/bgkill.scn" >"$T_TMP/out" 2>&1
check_eq "a failure with a block still running exits 1 (no crash)" 1 $?
check "... reports the failing step, not the stopped block" sh -c \
	"grep -q 'bgkill.scn:10: guest read f' '$T_TMP/out' && ! grep -q 'died before' '$T_TMP/out'"

# A foreign server: guest and host steps run, server steps are skipped.
PLL=$TOP/$BUILD/bench/passthrough_ll
"$SC" --server "$PLL -f -o source={source},allow_other,default_permissions {mountpoint}" \
	scenarios/mount-fd/nodes-first.scn >"$T_TMP/foreign" 2>&1
check_eq "--server runs a foreign server" 0 $?
check "... in a column of its own" grep -Eq "^mount-fd/nodes-first +PASS" "$T_TMP/foreign"
check "... headed server" grep -q "^SCENARIO  *server" "$T_TMP/foreign"

# libfuse's examples as named targets: every outcome as the scenarios
# declare (exit 0), and each finding of scenarios/FINDINGS.md as its table
# says, row by row.
"$SC" --jobs=2 --targets=passthrough_ll,passthrough,passthrough_fh scenarios >"$T_TMP/examples" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/examples" | grep -v "^#   "
check_eq "the libfuse examples: every outcome as declared" 0 $rc
check "... nothing FAILs" sh -c "! grep -E '^[a-z-]+/[a-z-]+ ' '$T_TMP/examples' | grep -q FAIL"
# "name;outcome;outcome;outcome" from the table and from the matrix.
awk -F'|' '/^## / { on = /^## The table t70 asserts/ } on && /^\| [a-z-]+\/[a-z-]+ \|/ {
	for (i = 2; i <= 5; i++) { gsub(/^ +| +$/, "", $i) }
	print $2 ";" $3 ";" $4 ";" $5 }' scenarios/FINDINGS.md >"$T_TMP/findings"
check "FINDINGS.md has its table" test "$(wc -l <"$T_TMP/findings")" -ge 7
# cells_match WANT GOT: each ';' cell of GOT is its WANT cell, or one of
# its "A or B" (a premise that holds in some runs only).
cells_match() {
	local IFS=';' w g i
	read -ra w <<<"$1"
	read -ra g <<<"$2"
	[ ${#w[@]} = ${#g[@]} ] || return 1
	for i in "${!w[@]}"; do
		[[ " or ${w[i]} or " == *" or ${g[i]} or "* ]] || return 1
	done
}
while IFS=';' read -r name want; do
	got=$(grep -E "^$name " "$T_TMP/examples" | sed -E 's/ +$//; s/ {2,}/;/g' | cut -d';' -f2-4)
	if cells_match "$want" "$got"; then
		ok "FINDINGS.md: $name"
	else
		not_ok "FINDINGS.md: $name"
		echo "#   want: $want"
		echo "#   got:  $got"
	fi
done <"$T_TMP/findings"
for i in 1 2 3; do
	"$SC" --targets=passthrough_ll scenarios/generation/reuse-after-forget.scn >"$T_TMP/again" 2>&1
	check "passthrough_ll's (nodeid, generation) reuse shows again (run $i of 3)" \
		grep -Eq "^generation/reuse-after-forget +bug reproduced" "$T_TMP/again"
done

# --mutate: no expectation of the shipped scenarios holds when negated,
# on any design; on a foreign target the server steps are passed over.
"$SC" --mutate scenarios >"$T_TMP/mutate" 2>&1
rc=$?
tail -3 "$T_TMP/mutate" | sed 's/^/# /'
check_eq "--mutate over scenarios/ on the designs finds nothing vacuous" 0 $rc
check "... having negated every expectation" \
	grep -Eq "^vfs-scenario: mutate: [1-9][0-9]+ expectations negated, 0 vacuous$" "$T_TMP/mutate"
"$SC" --mutate --targets=passthrough_ll scenarios/duplicate/hard-links.scn >"$T_TMP/mutate2" 2>&1
check_eq "--mutate on a foreign target: server steps, which it cannot run, are not called vacuous" 0 $?
check "... but counted as passed over, beside what was negated" grep -Eq \
	"^vfs-scenario: mutate: [1-9][0-9]* expectations negated, 0 vacuous \([1-9][0-9]* server steps passed over: they need vfs-serve\)$" \
	"$T_TMP/mutate2"
"$SC" --targets=passthrough_ll scenarios/mount-fd/open-fault.scn >"$T_TMP/na" 2>&1
check "a scenario whose premise is a vfs-serve fault point is n/a elsewhere (nothing runs)" \
	grep -q "^vfs-scenario: 0 passed, 0 failed, 0 skipped$" "$T_TMP/na"
# An inject fault fires where it aims, or the run is a runner error.
printf 'title T\ncase other\nfixture tmpfs\ninject   mknodat=EIO\n\nhost write f "x"\nexpect any fuse lookup 1 f\n' >"$T_TMP/never.scn"
"$SC" --design=fixed "$T_TMP/never.scn" >"$T_TMP/out" 2>&1
check_eq "an inject fault that never fires: exit 1" 1 $?
check "... a runner error saying so" grep -q "inject mknodat=EIO never fired" "$T_TMP/out"
printf 'title T\ncase other\nfixture tmpfs\ninject   name_to_handle_at=EOPNOTSUPP:nth=1:armed=/\n\nhost write f "x"\nexpect any fuse lookup 1 f\n' >"$T_TMP/init.scn"
"$SC" --targets=virtiofsd-rs:prefer "$T_TMP/init.scn" >"$T_TMP/out" 2>&1
check_eq "a fault armed from the start that fires on the daemon's start or INIT: exit 1" 1 $?
check "... a message saying it fired before the first step" \
	grep -q "fired 1 time before the first step (the daemon's start or INIT)" "$T_TMP/out"

# Killed mid-scenario, the runner leaves nothing behind.
printf 'title long\ncase other\nfixture ext4-small\nrequires root loop\nrepeat 10000\nguest write f "x$i"\nguest read f\nguest unlink f\nend\n' >"$T_TMP/long.scn"
nothing_left() {
	! pgrep -f "vfs-serve .*vfs-scenario\.$pid/" >/dev/null &&
		! losetup -a | grep -q "vfs-scenario\.$pid/" &&
		! grep -q "vfs-scenario\.$pid/" /proc/mounts
}
for sig in INT KILL; do
	"$SC" --design=fixed "$T_TMP/long.scn" >"$T_TMP/out" 2>&1 &
	pid=$!
	T_RUNNERS+=("$pid")
	# Its own server: another run on this machine must not count.
	retry 200 pgrep -f "vfs-serve .*vfs-scenario\.$pid/" >/dev/null
	check "SIG$sig: the runner is mid-scenario (its server is up)" pgrep -f "vfs-serve .*vfs-scenario\.$pid/" >/dev/null
	kill -s $sig $pid
	wait $pid 2>/dev/null
	rc=$?
	[ $sig = INT ] && check_eq "SIGINT: the runner exits 130" 130 $rc
	check "SIG$sig: no server, loop device or mount is left" retry 200 nothing_left
	if [ $sig = KILL ]; then
		check "SIGKILL leaves only its empty work directory" test -d "/tmp/vfs-scenario.$pid"
		"$SC" --check scenarios >/dev/null
		"$SC" --design=fixed scenarios/duplicate/thread.scn >/dev/null 2>&1
		check "... which the next run removes" test ! -e "/tmp/vfs-scenario.$pid"
	else
		check "SIGINT leaves no work directory" test ! -e "/tmp/vfs-scenario.$pid"
	fi
done
finish
