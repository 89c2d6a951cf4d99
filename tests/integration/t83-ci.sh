#!/bin/bash
# vfskit in a CI: --shard=K/N parts every conformance run's cells so that
# N jobs run each exactly once (for N = 1, 2, 3 and 7); real runs of the
# scenario set, unsharded and in 1, 2 and 3 shards one after another,
# merge to the same outcome in every cell; compare flags a regression
# planted in a copy of the results (exit 1) and a fix (exit 0); merge
# refuses a missing or doubled shard; the pages render in headless
# Chromium with the matrix, each cell's section and nothing fetched; the
# progress line shows on a terminal only; a cell that drops the host
# kernel's caches waits for the machine-wide lock, others run beside a
# holder; bad input is named.
. "$(dirname "$0")/lib.sh"
plan 59

VSC=$BIN/vfs-scenario
CHROMIUM=$(command -v chromium)
[ -n "$CHROMIUM" ] || skip_all "needs chromium (Debian's package), which make check installs"
cd "$TOP" || exit 1

# 1. The partition, on exactly the runs make conformance makes, VM columns too.
set_no=0
while read -r line; do
	set_no=$((set_no + 1))
	# shellcheck disable=SC2086
	"$VSC" $line --list | sort >"$T_TMP/list.$set_no"
	for n in 1 2 3 7; do
		: >"$T_TMP/parts"
		for k in $(seq 1 $n); do
			# shellcheck disable=SC2086
			"$VSC" $line --list --shard=$k/$n >>"$T_TMP/parts"
		done
		sort "$T_TMP/parts" >"$T_TMP/parts.sorted"
		if ! cmp -s "$T_TMP/list.$set_no" "$T_TMP/parts.sorted" || [ -n "$(uniq -d "$T_TMP/parts.sorted")" ]; then
			echo "# run $set_no, N=$n: $(diff "$T_TMP/list.$set_no" "$T_TMP/parts.sorted" | head -3)"
			echo bad >>"$T_TMP/partition.bad"
		fi
	done
done < <(make -s --no-print-directory conformance-matrix)
check_eq "make conformance is 5 runs" 5 "$set_no"
check "their $(cat "$T_TMP"/list.* | wc -l) cells, in 1, 2, 3 and 7 shards: each cell in exactly one" \
	test ! -e "$T_TMP/partition.bad"
check "the main run's VM columns are sharded too" grep -q "@6.12\]$" "$T_TMP/list.1"
a=$(grep -c . <("$VSC" --targets=fixed,virtiofsd-rs --list --shard=1/2))
b=$(grep -c . <("$VSC" --targets=ids-only,virtiofsd-rs,fixed --list --shard=1/2 | grep -v '\[ids-only\]$'))
check_eq "a cell's part does not depend on the other columns of the run" "$a" "$b"

# 2. Real runs: unsharded, then N = 1, 2, 3 shards one after another, merged.
TARGETS=ids-only,v3,fixed,passthrough_ll,virtiofsd-c,fixed-vhost
"$VSC" --jobs=2 --targets=$TARGETS --results="$T_TMP/all.json" --junit="$T_TMP/all.xml" \
	>"$T_TMP/all.out" 2>"$T_TMP/all.err"
check_eq "the unsharded run is as declared" 0 $?
cells=$(grep -c . <("$VSC" --targets=$TARGETS --list))
check_eq "its results hold every cell" "$cells" "$(grep -c '"outcome":' "$T_TMP/all.json")"
check "nothing on stderr when it is not a terminal" test ! -s "$T_TMP/all.err"
for n in 1 2 3; do
	files=()
	rcs=
	for k in $(seq 1 $n); do
		"$VSC" --jobs=2 --targets=$TARGETS --shard=$k/$n --results="$T_TMP/s$k-$n.json" \
			--junit="$T_TMP/s$k-$n.xml" >"$T_TMP/s$k-$n.out" 2>&1
		rcs="$rcs$?"
		files+=("$T_TMP/s$k-$n.json")
	done
	check_eq "N=$n: every shard's run is as declared" "$(printf '0%.0s' $(seq 1 $n))" "$rcs"
	"$VSC" merge "${files[@]}" >"$T_TMP/merged-$n.json" 2>"$T_TMP/merge.err"
	check_eq "N=$n: the shards merge" 0 $?
	"$VSC" compare "$T_TMP/all.json" "$T_TMP/merged-$n.json" >"$T_TMP/cmp-$n.out"
	rc=$?
	grep -v '^compare: .* -> ' "$T_TMP/cmp-$n.out" | sed 's/^/# /'
	# A SKIP whose premise did not hold in one run (ext4 did not hand the
	# inode number back this time) is a cell neither run could test, not an
	# outcome: every cell that ran in both has the same outcome.
	premise=$(grep -c '^changed     .*: \(skip -> [a-z/-]*\|[a-z/-]* -> skip\)' "$T_TMP/cmp-$n.out")
	check_eq "N=$n: merged, every cell has the unsharded run's outcome" \
		"0:compare: 0 regressions, 0 fixed, $premise changed, 0 gone, 0 added, $((cells - premise)) unchanged" \
		"$rc:$(tail -1 "$T_TMP/cmp-$n.out")"
	[ "$premise" -gt 2 ] && echo "# N=$n: $premise cells' premises held in one run only" >>"$T_TMP/premises"
done
check "... premises failing in one run only are rare (at most 2 cells a run)" test ! -e "$T_TMP/premises"
check_eq "JUnit per shard: shard 2/3's file has shard 2/3's cells" \
	"$(grep -c . <("$VSC" --targets=$TARGETS --list --shard=2/3))" \
	"$(grep -c '<testcase ' "$T_TMP/s2-3.xml")"
check "the shard's document says which shard it is" grep -q '"k":2,' <(tr -d ' \n' <"$T_TMP/s2-3.json")

# 3. What a document says about the run.
J=$(tr -d '\n' <"$T_TMP/all.json")
check "it names the vfskit version" grep -q "\"vfskit\": *\"$(cat VERSION)\"" <<<"$J"
check "... the C virtiofsd's version, from the daemon" grep -q '"version": *"virtiofsd version [0-9]' <<<"$J"
check "... its options" grep -q '"options": *"-o sandbox=namespace"' <<<"$J"
check "... the host kernel" grep -q "\"host_kernel\": *\"$(uname -r)\"" <<<"$J"
# cell FILE SCENARIO TARGET: that cell's lines of a (pretty-printed) document
cell() {
	awk -v s="\"scenario\":\"$2\"," -v t="\"target\":\"$3\"," '
		$1 == s { keep = 1; n = 0; buf = "" }
		keep { buf = buf $0 "\n"; n++ }
		keep && n == 2 && $1 != t { keep = 0 }
		keep && /^ *}/ { printf "%s", buf; keep = 0 }' "$1"
}
cell "$T_TMP/all.json" id-reuse/guest-unlink ids-only >"$T_TMP/bug.cell"
check "a reproduced bug's cell carries its failing step, expected and got" \
	grep -q '"outcome":"bug",.*"step":".*id-reuse/guest-unlink.scn:[0-9]*: .*"expected":".*"got":"' \
	<(tr -d '\n' <"$T_TMP/bug.cell")
check "... and the whole report, the decision log's last lines in it" \
	grep -q '"details":".*decision log (last lines)' "$T_TMP/bug.cell"

# 4. compare gates on a planted regression, not on a fix.
python_free_plant() { # FILE SCENARIO TARGET FROM TO: one cell's outcome changed in a copy
	awk -v s="\"scenario\":\"$2\"," -v t="\"target\":\"$3\"," -v from="\"outcome\":\"$4\"" \
		-v to="\"outcome\":\"$5\"" '
		$1 ~ /^"scenario":/ { cur_s = $1 }
		$1 ~ /^"target":/ { cur_t = $1 }
		$1 ~ /^"outcome":/ && cur_s == s && cur_t == t { sub(from, to) }
		{ print }' "$1"
}
python_free_plant "$T_TMP/all.json" duplicate/hard-links fixed pass fail >"$T_TMP/regressed.json"
check "the plant took (one cell differs)" test "$(diff "$T_TMP/all.json" "$T_TMP/regressed.json" | grep -c '^>')" = 1
"$VSC" compare --html="$T_TMP/compare.html" "$T_TMP/all.json" "$T_TMP/regressed.json" >"$T_TMP/cmp.out"
check_eq "compare exits 1 on the planted regression" 1 $?
check "... and names it" grep -q '^regression  duplicate/hard-links \[fixed\]: pass -> fail$' "$T_TMP/cmp.out"
check "... counted once" grep -q "^compare: 1 regression, 0 fixed, 0 changed, 0 gone, 0 added, $((cells - 1)) unchanged$" "$T_TMP/cmp.out"
"$VSC" compare "$T_TMP/regressed.json" "$T_TMP/all.json" >"$T_TMP/fixed.out"
check_eq "the other way round it is a fix: exit 0" 0 $?
check "... named as fixed" grep -q '^fixed       duplicate/hard-links \[fixed\]: fail -> pass$' "$T_TMP/fixed.out"
python_free_plant "$T_TMP/all.json" id-reuse/guest-unlink ids-only bug no-bug >"$T_TMP/nobug.json"
"$VSC" compare "$T_TMP/all.json" "$T_TMP/nobug.json" >"$T_TMP/nobug.out"
check "a declared bug that no longer shows is 'fixed', not a regression" \
	test "$?:$(grep -c '^fixed       id-reuse/guest-unlink \[ids-only\]: bug -> no-bug$' "$T_TMP/nobug.out")" = 0:1
"$VSC" compare "$T_TMP/s1-2.json" "$T_TMP/merged-2.json" >"$T_TMP/added.out"
check "cells only in the new document are 'added'" grep -q "^compare: 0 regressions, 0 fixed, 0 changed, 0 gone, [1-9][0-9]* added" "$T_TMP/added.out"

# 5. merge refuses what would lose or double a cell.
"$VSC" merge "$T_TMP/s1-3.json" "$T_TMP/s2-3.json" >/dev/null 2>"$T_TMP/m.err"
check "merge without shard 3/3: exit 2" test $? = 2
check "... saying it is missing" grep -q "shard 3/3 of the run .* is missing" "$T_TMP/m.err"
"$VSC" merge "$T_TMP/s1-3.json" "$T_TMP/s1-3.json" "$T_TMP/s3-3.json" >/dev/null 2>"$T_TMP/m.err"
check "a shard given twice is refused" grep -q "shard 1/3 is given twice" "$T_TMP/m.err"
"$VSC" merge "$T_TMP/all.json" "$T_TMP/merged-2.json" >/dev/null 2>"$T_TMP/m.err"
check "two runs holding one cell are refused, naming it" grep -q "the cell .* is in both" "$T_TMP/m.err"

# 6. The pages, in a real browser.
"$VSC" merge --html="$T_TMP/page.html" "$T_TMP/s1-3.json" "$T_TMP/s2-3.json" "$T_TMP/s3-3.json" >/dev/null
check "merge --html writes the page" test -s "$T_TMP/page.html"
check "the pages need nothing from elsewhere: no script, no link out" \
	sh -c "! grep -Eiq '<script|src=|https?://|<link' '$T_TMP/page.html' '$T_TMP/compare.html'"
browse() { # PAGE PNG: the DOM Chromium built, and a screenshot
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T_TMP/chromium" \
		--window-size=1400,1800 --screenshot="$2" "file://$1" >/dev/null 2>&1 &&
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
			--user-data-dir="$T_TMP/chromium" --dump-dom "file://$1" 2>/dev/null
}
browse "$T_TMP/page.html" "$T_TMP/page.png" >"$T_TMP/page.dom"
check "Chromium renders the page" test -s "$T_TMP/page.dom"
check "... to a screenshot" sh -c "head -c 8 '$T_TMP/page.png' | od -An -c | grep -q 'P   N   G'"
check_eq "... with one matrix cell per result" "$cells" \
	"$(grep -o '<td class="o-' "$T_TMP/page.dom" | grep -c .)"
link=$(grep -o 'href="#c[0-9]*"' "$T_TMP/page.dom" | head -1 | sed 's/href="#\(c[0-9]*\)"/\1/')
check "a cell with a report links to its section ($link)" grep -q "<section class=\"cell\" id=\"${link:-none}\">" "$T_TMP/page.dom"
check "... which shows the failing step, expected and got" \
	grep -q '<dt>failing step</dt>.*<dt>expected</dt>.*<dt>got</dt>' "$T_TMP/page.dom"
browse "$T_TMP/compare.html" "$T_TMP/compare.png" >"$T_TMP/compare.dom"
check "Chromium renders the compare page, the regression first" \
	grep -q '<td class="k-regression">regression</td><td>duplicate/hard-links \[fixed\]</td>' "$T_TMP/compare.dom"
check "... and marks the cell in the matrix" grep -q 'class="o-fail moved" title="regression: was PASS"' "$T_TMP/compare.dom"
[ -n "${VFSKIT_KEEP_PAGES:-}" ] && cp "$T_TMP"/*.png "$T_TMP"/*.html "$VFSKIT_KEEP_PAGES"/

# 7. Progress: on a terminal only.
script -qec "$VSC --jobs=2 --targets=fixed,ids-only duplicate" /dev/null >"$T_TMP/tty.out" 2>&1
total=$(grep -c . <("$VSC" --targets=fixed,ids-only --list duplicate))
check "on a terminal, the progress line counts to the total" grep -q "\[$total/$total\] [0-9]*m[0-9][0-9]s" "$T_TMP/tty.out"
check "... naming the cell running" grep -aq "\[[0-9]*/$total\] [0-9]*m[0-9][0-9]s  duplicate/[a-z-]* \[" "$T_TMP/tty.out"
script -qec "$VSC --targets=fixed duplicate/hard-links" /dev/null >"$T_TMP/tty1.out" 2>&1
check "... with one job too" grep -q '\[1/1\]' "$T_TMP/tty1.out"
"$VSC" --targets=fixed duplicate/hard-links >"$T_TMP/notty.out" 2>&1
check "not on a terminal: no progress line" sh -c "! grep -q '\[1/1\]' '$T_TMP/notty.out'"

# 8. --jobs: the host kernel's caches are shared; a cell dropping them runs alone.
LOCK=/run/lock/vfskit-caches.lock
[ -d /run/lock ] || LOCK=/tmp/vfskit-caches.lock
touch "$LOCK"
ino=$(stat -c %i "$LOCK")
mkfifo "$T_TMP/hold"
flock -s "$LOCK" -c "read x <'$T_TMP/hold'" &
holder=$!
T_PIDS+=("$holder")
held() { grep -q "FLOCK *ADVISORY *READ *$holder [0-9a-f:]*:$ino " /proc/locks; }
waiting() { grep -q -- "-> FLOCK *ADVISORY *WRITE *[0-9]* [0-9a-f:]*:$ino " /proc/locks; }
retry 100 held
"$VSC" --targets=fixed duplicate/hard-links >"$T_TMP/beside.out" 2>&1
check_eq "a cell that keeps the caches runs beside another holding the lock" 0 $?
"$VSC" --targets=fixed duplicate/walk-forget >"$T_TMP/alone.out" 2>&1 &
alone=$!
retry 200 waiting
check "a cell that drops them waits for it, alone" waiting
echo >"$T_TMP/hold"
wait "$holder"
wait "$alone"
check_eq "... and runs once it is free" 0 $?

# 9. Bad input, named.
for bad in 0/3 4/3 3 a/b 1/0 2/1001; do
	"$VSC" --shard=$bad --list >/dev/null 2>"$T_TMP/bad.err"
	[ $? = 2 ] && grep -q "invalid value '$bad' for --shard: want K/N" "$T_TMP/bad.err" || echo "$bad" >>"$T_TMP/bad.shard"
done
check "--shard=0/3, 4/3, 3, a/b, 1/0, 2/1001: exit 2, naming the value" test ! -e "$T_TMP/bad.shard"
echo '{"format":"vfskit-results","format_version":1,"vfskit":"x","targets":[],"cells":[{"scenario":"a"}]}' >"$T_TMP/bad.json"
"$VSC" compare "$T_TMP/all.json" "$T_TMP/bad.json" 2>"$T_TMP/bad.err"
check "a document missing a field: exit 2, naming it" \
	test "$?:$(cat "$T_TMP/bad.err")" = "2:vfs-scenario: $T_TMP/bad.json: cells[0] has no 'target'"
head -c 100 "$T_TMP/all.json" >"$T_TMP/cut.json"
"$VSC" merge "$T_TMP/cut.json" >/dev/null 2>"$T_TMP/bad.err"
check "a cut document: exit 2, 'ends too soon'" test "$?:$(cat "$T_TMP/bad.err")" = "2:vfs-scenario: $T_TMP/cut.json: not JSON: it ends too soon"
"$VSC" compare "$T_TMP/all.json" 2>"$T_TMP/bad.err"
check "compare with one file: exit 2, usage" test "$?:$(head -1 "$T_TMP/bad.err")" = "2:vfs-scenario compare: wants two results files, OLD and NEW"
"$VSC" merge --bogus "$T_TMP/all.json" 2>"$T_TMP/bad.err"
check "an unknown option to merge is named" test "$?:$(head -1 "$T_TMP/bad.err")" = "2:vfs-scenario merge: unknown option or missing value: '--bogus'"
"$VSC" --targets=fixed --results=/nonexistent/r.json duplicate/hard-links >/dev/null 2>"$T_TMP/bad.err"
check "--results into a missing directory: exit 1, saying so" test "$?:$(cat "$T_TMP/bad.err")" = "1:vfs-scenario: cannot write /nonexistent/r.json: No such file or directory"

finish
