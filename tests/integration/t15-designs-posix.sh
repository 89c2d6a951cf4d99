#!/bin/bash
# Every design in every --inode-file-handles mode, on tmpfs and ext4: POSIX
# results match the backing filesystem, the store's invariants hold, and
# the server unmounts cleanly. The designs differ in how lookups key
# inodes, never in what operations do.
. "$(dirname "$0")/lib.sh"
plan 54

printf '%-6s %-9s %-10s %-8s %-11s %s\n' FS DESIGN HANDLES POSIX INVARIANTS UNMOUNT
for fs in tmpfs ext4; do
	native=$T_TMP/$fs-native
	backing=$T_TMP/$fs-backing
	make_$fs "$native" 256 && make_$fs "$backing" 256 || { not_ok "$fs fixtures"; continue; }
	"$HELPERS/posix_ops" "$native" >"$T_TMP/want" 2>&1
	for design in ids-only v3 fixed; do
		for mode in never prefer mandatory; do
			rm -rf "${backing:?}"/*
			mnt=$T_TMP/mnt
			posix=FAIL inv=FAIL um=FAIL
			if serve "$backing" "$mnt" --design=$design --inode-file-handles=$mode; then
				"$HELPERS/posix_ops" "$mnt" >"$T_TMP/got" 2>&1
				cmp -s "$T_TMP/want" "$T_TMP/got" && posix=PASS
				ctl "$mnt" check >/dev/null && inv=PASS
				unserve "$mnt" && um=PASS
			fi
			printf '%-6s %-9s %-10s %-8s %-11s %s\n' $fs $design $mode $posix $inv $um
			for r in "posix:$posix" "invariants:$inv" "unmount:$um"; do
				if [ "${r#*:}" = PASS ]; then
					T_PASS=$((T_PASS + 1))
				else
					T_FAIL=$((T_FAIL + 1))
					echo "# FAIL $fs $design $mode ${r%%:*}"
				fi
			done
		done
	done
done
finish
