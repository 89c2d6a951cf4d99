#!/bin/bash
# vfs-fuzz: a fixed-seed run against vfs-serve's fixed design finds
# nothing; the growth oracle sees a planted fd leak (close failed); the planted bugs (ids-only's inode reuse on ext4-small, v3's
# duplicate inode under a failing handle) are found, shrunk, written as
# scenarios, and vfs-scenario replays each as "bug reproduced" there and
# PASS on fixed; the same seed gives the same steps; --jobs adds up;
# libfuse's examples are reached over a /dev/fuse fd of ours, faithful to
# a kernel, and finding 21 (security/symlink-swap) shows there; bad flags
# and oracle steps without requests are refused, named.
. "$(dirname "$0")/lib.sh"
plan 39

FZ=$BIN/vfs-fuzz
SC=$BIN/vfs-scenario
cd "$TOP" || exit 1
# row FILE TARGET: the target's row of a run's table (STEPS REQUESTS REQ/S RESTARTS RESTART-MS FINDINGS)
row() { awk -v t="$2" '$1 == t { print }' "$1"; }
findings_of() { row "$1" "$2" | awk '{ print $NF }'; }
steps_of() { grep -c '^expect any ' "$1"; }

# A clean design: nothing in 20000 steps, malformed requests and host changes included.
"$FZ" --targets=fixed,fixed-vhost --seed=1 --requests=20000 --out="$T_TMP/clean" \
	>"$T_TMP/clean.out" 2>"$T_TMP/clean.err"
rc=$?
sed 's/^/# /' "$T_TMP/clean.out" "$T_TMP/clean.err"
check_eq "fixed and fixed-vhost: exit 0, nothing found" 0 $rc
check_eq "fixed: 0 findings in the table" 0 "$(findings_of "$T_TMP/clean.out" fixed)"
check_eq "fixed: 20000 steps run" 20000 "$(row "$T_TMP/clean.out" fixed | awk '{ print $2 }')"
check "fixed-vhost: 0 findings in the table" [ "$(findings_of "$T_TMP/clean.out" fixed-vhost)" = 0 ]
check "nothing written for a clean run" [ ! -e "$T_TMP/clean" ]

# Planted: ids-only keys inodes by (dev, ino): a reused inode number finds the old nodeid.
"$FZ" --targets=ids-only --fixture=ext4-small --serve-option=--inode-file-handles=prefer \
	--seed=1 --requests=20000 --out="$T_TMP/ids" >"$T_TMP/ids.out" 2>"$T_TMP/ids.err"
rc=$?
sed 's/^/# /' "$T_TMP/ids.out" "$T_TMP/ids.err"
check_eq "ids-only: exit 1 (found)" 1 $rc
scn=$(ls "$T_TMP"/ids/ids-only-identity-*.scn 2>/dev/null | head -1)
check "ids-only: an identity finding written as a scenario" [ -n "$scn" ]
n=$(steps_of "${scn:-/dev/null}")
check "ids-only: shrunk to 1 to 8 steps ($n)" [ "$n" -ge 1 -a "$n" -le 8 ]
check "ids-only: the scenario fails on ids-only with the oracle's site" \
	grep -q '^witness "identity [a-z]*" expect none oracle identity$' "${scn:-/dev/null}"
"$SC" --targets=ids-only,fixed "${scn:-/dev/null}" >"$T_TMP/ids.replay" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/ids.replay"
check_eq "vfs-scenario replays it as declared" 0 $rc
check "replay: bug reproduced on ids-only, PASS on fixed" \
	grep -Eq "identity-[a-z]+ +bug reproduced +PASS" "$T_TMP/ids.replay"

# Planted: v3 with a handle failing now and then makes a second inode for one file.
inj=name_to_handle_at=EOPNOTSUPP:prob=0.2,seed=7
"$FZ" --targets=v3 --serve-option=--inode-file-handles=prefer --inject=$inj \
	--seed=1 --requests=5000 --out="$T_TMP/v3" >"$T_TMP/v3.out" 2>"$T_TMP/v3.err"
rc=$?
sed 's/^/# /' "$T_TMP/v3.out" "$T_TMP/v3.err"
check_eq "v3: exit 1 (found)" 1 $rc
scn=$(ls "$T_TMP"/v3/v3-duplicate-*.scn 2>/dev/null | head -1)
check "v3: a duplicate finding written" [ -n "$scn" ]
check "v3: it carries the inject line" grep -qx "inject   $inj" "${scn:-/dev/null}"
n=$(steps_of "${scn:-/dev/null}")
check "v3: shrunk to 1 to 8 steps ($n)" [ "$n" -ge 1 -a "$n" -le 8 ]
"$SC" --targets=v3,fixed "${scn:-/dev/null}" >"$T_TMP/v3.replay" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/v3.replay"
check_eq "vfs-scenario replays it as declared" 0 $rc
check "replay: bug reproduced on v3, PASS on fixed" \
	grep -Eq "duplicate-[a-z]+ +bug reproduced +PASS" "$T_TMP/v3.replay"

# The growth oracle, planted: every close(2) of vfs-serve failed (vfs-inject), so each
# fd it lets go stays open; more than 8 once everything is forgotten is a finding.
"$FZ" --targets=fixed --inject=close=EIO:every --fd-slack=8 --seed=1 --requests=2000 \
	--out="$T_TMP/g" >"$T_TMP/g.out" 2>&1
sed 's/^/# /' "$T_TMP/g.out"
scn=$(ls "$T_TMP"/g/fixed-growth-fds.scn 2>/dev/null)
check "close leaking: a growth finding, its witness the daemon's fds" \
	grep -q '^witness expect <=[0-9]* daemon fds$' "${scn:-/dev/null}"
check "... forgetting what the sequence still holds before it counts" \
	grep -q '^expect any fuse batch-forget ' "${scn:-/dev/null}"
"$SC" --targets=fixed,fixed-vhost "${scn:-/dev/null}" >"$T_TMP/g.replay" 2>&1
sed 's/^/# /' "$T_TMP/g.replay"
check "replay: bug reproduced on fixed, n/a elsewhere (its limit is that daemon's)" \
	grep -Eq "growth-fds +bug reproduced +n/a" "$T_TMP/g.replay"

# The same seed, the same steps: two runs keep the same corpus.
for n in 1 2; do
	"$FZ" --targets=fixed --seed=42 --requests=3000 --restart-every=1000 \
		--corpus="$T_TMP/corpus$n" --out="$T_TMP/c$n" >/dev/null 2>&1
done
check "a seed's corpus is kept" [ "$(ls "$T_TMP/corpus1" 2>/dev/null | wc -l)" -ge 1 ]
check "the same seed gives the same steps" \
	diff -r -I '^# Replay' "$T_TMP/corpus1" "$T_TMP/corpus2"
"$FZ" --targets=fixed --seed=43 --requests=1000 --restart-every=1000 \
	--corpus="$T_TMP/corpus3" --out="$T_TMP/c3" >/dev/null 2>&1
check "another seed gives other steps" sh -c "! diff -q -I '^#' '$T_TMP/corpus1/fixed-seed42-run1.scn' \
	'$T_TMP/corpus3/fixed-seed43-run1.scn'"
"$SC" --targets=fixed "$T_TMP/corpus1/fixed-seed42-run1.scn" >"$T_TMP/corpus.replay" 2>&1
check "a corpus entry replays as a scenario (PASS)" grep -q "0 failed, 0 skipped" "$T_TMP/corpus.replay"

"$FZ" --targets=fixed --jobs=2 --seed=1 --requests=4000 --out="$T_TMP/j" >"$T_TMP/jobs.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/jobs.out"
check_eq "--jobs=2: exit 0" 0 $rc
check_eq "--jobs=2: the jobs' steps add up" 4000 "$(row "$T_TMP/jobs.out" fixed | awk '{ print $2 }')"

# libfuse's examples, over a /dev/fuse fd of ours.
"$FZ" --targets=passthrough_ll --seed=1 --requests=2000 --out="$T_TMP/ll" >"$T_TMP/ll.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/ll.out"
check "passthrough_ll over {devfuse}: it ran (exit 0 or 1)" [ $rc -le 1 ]
check_eq "passthrough_ll over {devfuse}: 2000 steps" 2000 \
	"$(row "$T_TMP/ll.out" passthrough_ll:devfuse | awk '{ print $2 }')"
"$SC" --targets=passthrough:devfuse,passthrough_fh:devfuse,passthrough_ll:devfuse,fixed \
	scenarios/security/symlink-swap.scn >"$T_TMP/swap" 2>&1
sed 's/^/# /' "$T_TMP/swap"
check "finding 21: a guest write follows a symlink swapped in on the host, out of the share (passthrough, passthrough_fh)" \
	grep -Eq "^security/symlink-swap +bug reproduced +bug reproduced +PASS +PASS" "$T_TMP/swap"

# Refusals, each naming what was wrong.
for bad in "--seed=x:--seed=x" "--mutate=101:--mutate=101" "--fixture=zfs:--fixture=zfs" \
	"--targets=nope:unknown target 'nope'" "--jobs=0:--jobs=0" "--requests=5:give --targets" \
	"--fd-slack=-1:--fd-slack=-1" "--raw-wait=0:--raw-wait=0" "--init=linux-5:--init=linux-5"; do
	"$FZ" ${bad%%:*} >"$T_TMP/bad.out" 2>&1
	rc=$?
	named=$(grep -cF -- "${bad#*:}" "$T_TMP/bad.out")
	check "${bad%%:*}: exit 2, naming it" [ $rc = 2 -a "$named" -ge 1 ]
done
printf 'title t\ncase other\nfixture tmpfs\n\nhost write f x\noracle identity\n' >"$T_TMP/o.scn"
"$SC" --targets=fixed "$T_TMP/o.scn" >"$T_TMP/o.out" 2>&1
check "an oracle step in a scenario without requests is refused" \
	grep -q "oracle steps judge fuse and raw steps" "$T_TMP/o.out"

finish
