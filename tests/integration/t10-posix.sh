#!/bin/bash
# The POSIX operations give the same results through vfs-serve as on the
# backing filesystem, on tmpfs and ext4, in each --inode-file-handles
# mode, for root and for an unprivileged user (permission checks, owners).
. "$(dirname "$0")/lib.sh"
plan 30

USER_ID=${VFSKIT_TEST_UID:-65534}
as_user() { setpriv --reuid "$USER_ID" --regid "$USER_ID" --clear-groups "$@"; }

# prepare DIR: the tree posix_ops expects for its user part.
prepare() {
	mkdir -p "$1/u" "$1/rootdir" && chmod 1777 "$1/u"
	echo secret >"$1/secret" && chmod 600 "$1/secret"
	touch "$1/rootdir/kept"
}

for fs in tmpfs ext4; do
	native=$T_TMP/$fs-native
	backing=$T_TMP/$fs-backing
	make_$fs "$native" 256 || { not_ok "$fs: make native fixture"; continue; }
	prepare "$native"
	"$HELPERS/posix_ops" "$native" >"$T_TMP/want-root" 2>&1
	as_user "$HELPERS/posix_ops" "$native/u" >"$T_TMP/want-user" 2>&1
	make_$fs "$backing" 256 || { not_ok "$fs: make backing fixture"; continue; }
	for mode in never prefer mandatory; do
		rm -rf "${backing:?}"/* && prepare "$backing"
		mnt=$T_TMP/mnt-$fs-$mode
		serve "$backing" "$mnt" --inode-file-handles=$mode || { not_ok "$fs $mode: mount"; continue; }
		"$HELPERS/posix_ops" "$mnt" >"$T_TMP/got-root" 2>&1
		as_user "$HELPERS/posix_ops" "$mnt/u" >"$T_TMP/got-user" 2>&1
		if diff -u "$T_TMP/want-root" "$T_TMP/got-root" >"$T_TMP/diff"; then
			ok "$fs $mode: root's operations match the backing filesystem"
		else
			not_ok "$fs $mode: root's operations match the backing filesystem"
			sed 's/^/#   /' "$T_TMP/diff"
		fi
		if diff -u "$T_TMP/want-user" "$T_TMP/got-user" >"$T_TMP/diff"; then
			ok "$fs $mode: uid $USER_ID's operations match the backing filesystem"
		else
			not_ok "$fs $mode: uid $USER_ID's operations match the backing filesystem"
			sed 's/^/#   /' "$T_TMP/diff"
		fi
		check_eq "$fs $mode: files the user made are the user's on the host" \
			"$USER_ID:$USER_ID" "$(stat -c %u:%g "$backing/u/d")"
		check "$fs $mode: invariants hold" invariants "$mnt"
		check "$fs $mode: clean unmount" unserve "$mnt"
	done
done
finish
