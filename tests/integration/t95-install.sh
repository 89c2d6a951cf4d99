#!/bin/bash
# make install into a staged DESTDIR: the tools, man pages, scenarios and
# fixtures land under DESTDIR/PREFIX and nowhere else; the installed
# vfs-scenario finds the installed scenarios by itself and runs a family
# against the installed vfs-serve; each man page renders without warnings
# and lists exactly the options its tool's --help lists; every tool prints
# the one version; make uninstall leaves nothing behind.
. "$(dirname "$0")/lib.sh"
plan 44

command -v man >/dev/null || skip_all "needs man (man-db), which make check installs"
stage=$T_TMP/stage
san=
[ "$BUILD" = build-san ] && san=1
TOOLS="vfs-serve vfs-scenario vfs-inject vfs-trace vfs-fuse vfs-watch vfs-fuzz"

make -s -C "$TOP" install SAN=$san DESTDIR="$stage" PREFIX=/usr >"$T_TMP/install.out" 2>&1
check_eq "make install DESTDIR=... PREFIX=/usr succeeds" 0 $?
for t in $TOOLS; do
	check "$t is installed in BINDIR" test -x "$stage/usr/bin/$t"
done
check "the man pages are in MANDIR" test -f "$stage/usr/share/man/man1/vfs-scenario.1" -a \
	-f "$stage/usr/share/man/man5/vfs-scenario.5"
check_eq "every scenario is in DATADIR/vfskit" \
	"$(cd "$TOP" && find scenarios -name '*.scn' | sort)" \
	"$(cd "$stage/usr/share/vfskit" && find scenarios -name '*.scn' | sort)"
check "... with the language manual" test -f "$stage/usr/share/vfskit/scenarios/README.md"
check "... and the fixture scripts, executable" test -x "$stage/usr/share/vfskit/fixtures/tmpfs.sh"
check "nothing was written outside DESTDIR" sh -c "! ls /usr/bin/vfs-serve /usr/share/vfskit 2>/dev/null"

# The installed runner, away from the source tree, finds its scenarios.
cd "$T_TMP" || exit 1
"$stage/usr/bin/vfs-scenario" -v --design=fixed duplicate >"$T_TMP/run.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/run.out" | grep -v '^#   '
check_eq "the installed vfs-scenario runs the installed family 'duplicate'" 0 $rc
check "... from the installed scenarios and fixtures" grep -q \
	"^vfs-scenario: scenarios from $stage/usr/share/vfskit/scenarios, fixtures from $stage/usr/share/vfskit/fixtures$" \
	"$T_TMP/run.out"
n=$(ls "$TOP"/scenarios/duplicate/*.scn | wc -l)
check "... against the installed vfs-serve, all $n passing" \
	grep -q "^vfs-scenario: $n passed, 0 failed, 0 skipped$" "$T_TMP/run.out"
"$stage/usr/bin/vfs-scenario" --check >"$T_TMP/check.out" 2>&1
check_eq "without arguments it takes every installed scenario" \
	"vfs-scenario: $(cd "$TOP" && find scenarios -name '*.scn' | wc -l) scenarios parse" \
	"$(cat "$T_TMP/check.out")"
mkdir -p "$T_TMP/lonely/bin" && cp "$stage/usr/bin/vfs-scenario" "$T_TMP/lonely/bin/"
"$T_TMP/lonely/bin/vfs-scenario" --check >"$T_TMP/none.out" 2>&1
check_eq "with none to be found it exits 2" 2 $?
check "... saying where it looked" grep -q "no scenarios given, and none installed; looked in: .*lonely/bin/../share/vfskit/scenarios" "$T_TMP/none.out"
"$stage/usr/bin/vfs-scenario" --check id-reus >"$T_TMP/typo.out" 2>&1
check "a family that does not exist is named" grep -q "id-reus: no such file, and no family or scenario of that name in $stage/usr/share/vfskit/scenarios" "$T_TMP/typo.out"

# Man pages: no warnings; the options of --help and of the page agree.
opts() { grep -E '^ +-' | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[ ,]*//' | sort -u | tr '\n' ' '; }
for page in "$stage"/usr/share/man/man1/*.1 "$stage"/usr/share/man/man5/*.5; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$T_TMP/warn"
	check "man -l $(basename "$page"): no warnings" test ! -s "$T_TMP/warn"
done
for t in $TOOLS; do
	check_eq "$t: --help and $t(1) list the same options" \
		"$("$stage/usr/bin/$t" --help | opts)" \
		"$(MANWIDTH=200 man -l -P cat "$stage/usr/share/man/man1/$t.1" 2>/dev/null |
			sed -n '/^OPTIONS/,/^[A-Z]/p' | opts)"
done
want="$(cat "$TOP/VERSION")"
for t in $TOOLS; do
	check_eq "$t --version prints the one version" "$t (vfskit) $want" "$("$stage/usr/bin/$t" --version)"
done

make -s -C "$TOP" uninstall SAN=$san DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check_eq "make uninstall succeeds" 0 $?
check_eq "... leaving no file behind" "" "$(find "$stage" -type f)"
finish
