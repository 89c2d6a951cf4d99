#!/bin/bash
# make deb: Debian's tooling builds vfskit_VERSION_amd64.deb from a copy
# of the tree, lintian-clean (every tag down to info: what it notes is
# explained in debian/vfskit.lintian-overrides); dpkg installs it into a scratch root
# with a dpkg database of its own, with exactly the files make install puts
# under /usr (and the package's own docs); the installed vfs-scenario runs
# against the installed vfs-serve from the installed scenarios; and the CI
# examples in ci/ run, step by step as far as this machine can (no GitLab
# or GitHub runner here): the vfskit lines of both files, with their CI
# variables given, against the Rust virtiofsd standing for the project's
# freshly built daemon, in 3 shards, then the gate: clean against no
# baseline, exit 1 against a baseline where a cell now failing passed.
. "$(dirname "$0")/lib.sh"
plan 24

command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null ||
	skip_all "needs dpkg-dev, debhelper and lintian, which make check installs"
cd "$TOP" || exit 1
VERSION=$(cat VERSION)
DEB=build/deb/vfskit_${VERSION}_amd64.deb

make -s deb >"$T_TMP/deb.out" 2>&1
rc=$?
grep -v '^running with root privileges' "$T_TMP/deb.out" | tail -15 | sed 's/^/# /'
check_eq "make deb builds the package" 0 $rc
check "... named vfskit_${VERSION}_amd64.deb" test -s "$DEB"
TMPDIR=$T_TMP lintian -I --fail-on none "$DEB" 2>/dev/null | grep -E '^[EWI]: ' >"$T_TMP/lintian.out"
sed 's/^/# /' "$T_TMP/lintian.out"
check "lintian: no error, warning or note that is not explained in an override" test ! -s "$T_TMP/lintian.out"
check "dpkg-buildpackage ran in build/deb, not in the tree" test ! -e debian/vfskit -a ! -e ../vfskit_${VERSION}_amd64.deb
check_eq "the package's version is VERSION" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"
check "it depends on the libraries it links (shlibs)" sh -c "dpkg-deb -f '$DEB' Depends | grep -q 'libjson-c5' && dpkg-deb -f '$DEB' Depends | grep -q 'libfuse3-3'"

# Installed into a scratch root with its own dpkg database.
R=$T_TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
: >"$R/var/lib/dpkg/status"
dpkg --root="$R" --force-depends -i "$DEB" >"$T_TMP/dpkg.out" 2>&1
check_eq "dpkg installs it into the scratch root" 0 $?
check "... and knows it installed" sh -c "dpkg --root='$R' -s vfskit | grep -q '^Status: install ok installed'"
san=
[ "$BUILD" = build-san ] && san=1
make -s install SAN=$san DESTDIR="$T_TMP/stage" PREFIX=/usr >/dev/null 2>&1
(cd "$T_TMP/stage" && find . -type f | sed 's|^\.||' | sort) >"$T_TMP/install.files"
dpkg --root="$R" -L vfskit | while read -r f; do [ -f "$R$f" ] && echo "$f"; done |
	grep -v '^/usr/share/doc/vfskit/\|^/usr/share/lintian/overrides/vfskit$' | sed 's|\.gz$||' | sort >"$T_TMP/deb.files"
check_eq "its files are exactly make install's under /usr (man pages compressed; its docs and lintian's overrides besides)" \
	"$(cat "$T_TMP/install.files")" "$(cat "$T_TMP/deb.files")"
check "with its copyright and changelog" test -f "$R/usr/share/doc/vfskit/copyright" -a \
	-f "$R/usr/share/doc/vfskit/changelog.gz"
check "the man pages are there" test -f "$R/usr/share/man/man1/vfs-scenario.1.gz" -a \
	-f "$R/usr/share/man/man5/vfs-scenario.5.gz"
check_eq "the installed tools say the version" "vfs-scenario (vfskit) $VERSION" "$("$R/usr/bin/vfs-scenario" --version)"

cd "$T_TMP" || exit 1
"$R/usr/bin/vfs-scenario" -v --design=fixed,v3 duplicate >"$T_TMP/run.out" 2>&1
rc=$?
tail -3 "$T_TMP/run.out" | sed 's/^/# /'
check_eq "the installed vfs-scenario runs the installed scenarios" 0 $rc
check "... from the installed tree" grep -q "^vfs-scenario: scenarios from $R/usr/share/vfskit/scenarios, fixtures from $R/usr/share/vfskit/fixtures$" "$T_TMP/run.out"
check "... against the installed vfs-serve" grep -q "^vfs-serve (vfskit) $VERSION" <("$R/usr/bin/vfs-serve" --version)
"$R/usr/bin/vfs-scenario" --design=fixed --results="$T_TMP/one.json" duplicate/hard-links >/dev/null 2>&1
check "... whose results name it as the program" grep -q "\"program\":\"$R/usr/bin/vfs-serve\"" "$T_TMP/one.json"

# The CI examples' vfskit steps, with their CI variables given.
CI=$R/usr/share/vfskit/ci
check "the CI helper and examples are installed" test -x "$CI/vfskit-ci.sh" -a -f "$CI/gitlab-ci.yml" -a -f "$CI/github-actions.yml"
export PATH=$R/usr/bin:$PATH
export VFSKIT_ARGS="--targets=virtiofsd-rs --virtiofsd-rs=$TOP/build/virtiofsd-rs/virtiofsd"
# Protocol scenarios (the Rust virtiofsd is a vhost-user target), two of them with its known bugs.
export VFSKIT_SCENARIOS="protocol/hostile-names protocol/slash-in-name protocol/lifecycle protocol/access id-reuse generation"
steps() { # FILE: its vfskit-ci.sh lines, as commands
	grep -o '/usr/share/vfskit/ci/vfskit-ci.sh .*' "$1" | sed "s|/usr/share/vfskit/ci/|$CI/|"
}
check_eq "gitlab-ci.yml's vfskit steps: a shard, the gate" 2 "$(steps "$CI/gitlab-ci.yml" | wc -l)"
check_eq "github-actions.yml's too" 2 "$(steps "$CI/github-actions.yml" | wc -l)"
for file in gitlab-ci.yml github-actions.yml; do
	out=$T_TMP/$file.out
	rm -rf vfskit-out
	rcs=
	for k in 1 2 3; do
		shard=$(steps "$CI/$file" | grep ' shard ')
		# GitLab's parallel: CI_NODE_INDEX of CI_NODE_TOTAL; GitHub's matrix: the shard.
		shard=${shard//'${{ matrix.shard }}'/$k}
		CI_NODE_INDEX=$k CI_NODE_TOTAL=3 VFSKIT_BASELINE= eval "$shard" >>"$out" 2>&1
		rcs=$rcs$?
	done
	gate=$(steps "$CI/$file" | grep ' gate ')
	VFSKIT_BASELINE= eval "$gate" >>"$out" 2>&1
	rcs=$rcs$?
	tail -2 "$out" | sed 's/^/# /'
	check_eq "$file: 3 shards and the gate (no baseline) pass" 0000 "$rcs"
	cp -r vfskit-out "$T_TMP/$file.results"
done
check "the gate kept the page and the compare page" test -s "$T_TMP/gitlab-ci.yml.results/results.html" -a \
	-s "$T_TMP/gitlab-ci.yml.results/compare.html"
# A baseline in which a cell that now shows its bug had passed: the gate fails.
bugcell=$(grep -m1 -B2 '"outcome":"bug"' "$T_TMP/gitlab-ci.yml.results/results.json" | sed -n 's/^ *"scenario":"\(.*\)",$/\1/p')
sed 's/"outcome":"bug"/"outcome":"pass"/' "$T_TMP/gitlab-ci.yml.results/results.json" >"$T_TMP/baseline.json"
rm -rf vfskit-out && cp -r "$T_TMP/gitlab-ci.yml.results" vfskit-out
VFSKIT_BASELINE=$T_TMP/baseline.json eval "$(steps "$CI/gitlab-ci.yml" | grep ' gate ')" >"$T_TMP/gate.out" 2>&1
check_eq "against a baseline where $bugcell passed, the gate fails" 1 $?
check "... naming the regression" grep -q "^regression  $bugcell \[virtiofsd-rs\]: pass -> bug" "$T_TMP/gate.out"
finish
