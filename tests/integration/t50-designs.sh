#!/bin/bash
# The three designs of the reference thread, side by side on one ext4
# image: ids-only serves a new file through the old file's inode when ext4
# reuses the inode number; v3 makes two inodes for one file when handle
# generation fails once; the fixed design does neither.
. "$(dirname "$0")/lib.sh"
plan 13

backing=$T_TMP/backing
mnt=$T_TMP/mnt
make_ext4 "$backing" 32 || { not_ok "make ext4 fixture"; finish; exit 1; }
mkdir "$backing/d"

# reuse DESIGN: the guest caches f; the host replaces it by g with f's
# inode number; what does the guest read through g?
reuse() {
	rm -rf "${backing:?}"/[fg]
	echo old >"$backing/f"
	serve "$backing" "$mnt" --design="$1" --inode-file-handles=prefer \
		--entry-timeout=3600 --attr-timeout=3600 || return 1
	# The first openable inode becomes the mount fd (first-openable,
	# the default of ids-only and v3): let it be a directory, not f.
	ls "$mnt/d" >/dev/null
	cat "$mnt/f" >/dev/null
	local ino
	ino=$(stat -c %i "$backing/f")
	rm "$backing/f"
	echo new >"$backing/g"
	# The premise: without it the read below proves nothing.
	[ "$(stat -c %i "$backing/g")" = "$ino" ] && echo "premise=reused" || echo "premise=not-reused"
	cat "$mnt/g" 2>&1
	unserve "$mnt" >/dev/null
}
out=$(reuse ids-only)
check "ids-only: premise: ext4 gave g f's inode number" grep -qx "premise=reused" <<<"$out"
check "ids-only: the new file is served by the old inode (ESTALE)" grep -q "Stale file handle" <<<"$out"
out=$(reuse v3)
check "v3: premise: ext4 gave g f's inode number" grep -qx "premise=reused" <<<"$out"
check_eq "v3: the new file is read correctly" new "$(grep -vx 'premise=.*' <<<"$out")"
out=$(reuse fixed)
check "fixed: premise: ext4 gave g f's inode number" grep -qx "premise=reused" <<<"$out"
check_eq "fixed: the new file is read correctly" new "$(grep -vx 'premise=.*' <<<"$out")"

# dup DESIGN: a handle inode for f, kept by an open fd; then, while
# making handles fails, the guest revalidates f (entry timeout 0), drops
# the dentry when the nodeid changed, and looks f up again.
dup() {
	echo data >"$backing/f"
	serve "$backing" "$mnt" --design="$1" --inode-file-handles=prefer --entry-timeout=0 || return 1
	local before during after
	before=$("$HELPERS/handle_probe" get "$mnt/f")
	exec 3<"$mnt/f"
	ctl "$mnt" "fault arm handle_generate EIO" >/dev/null
	stat "$mnt/f" >/dev/null 2>"$T_TMP/stat.err"
	during=$("$HELPERS/handle_probe" get "$mnt/f" 2>/dev/null)
	echo "live=$(ctl "$mnt" "dump ino=$(stat -c %i "$backing/f")" | grep -c "state=live")"
	ctl "$mnt" check | grep -c "duplicate-live-inodes" | sed 's/^/dups=/'
	ctl "$mnt" "fault clear all" >/dev/null
	after=$("$HELPERS/handle_probe" get "$mnt/f")
	[ "$before" = "$during" ] && echo "during=same" || echo "during=changed:$during"
	[ "$before" = "$after" ] && echo "after=same" || echo "after=changed"
	grep -q "Input/output error" "$T_TMP/stat.err" && echo "stat=EIO"
	exec 3<&-
	unserve "$mnt" >/dev/null
}
out=$(dup v3)
check "v3: two live inodes for one file" grep -q "live=2" <<<"$out"
check "v3: the guest saw the file's nodeid change" grep -q "during=changed:129:" <<<"$out"
check "v3: check reports the duplicate" grep -q "dups=1" <<<"$out"
out=$(dup fixed)
check "fixed: the lookup fails with EIO instead" grep -q "stat=EIO" <<<"$out"
check "fixed: one live inode for the file" grep -q "live=1" <<<"$out"
check "fixed: check reports no duplicate" grep -q "dups=0" <<<"$out"
check "fixed: the FUSE-mount handle of the path is stable" grep -q "after=same" <<<"$out"
finish
