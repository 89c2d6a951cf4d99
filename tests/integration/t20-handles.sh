#!/bin/bash
# name_to_handle_at / open_by_handle_at on the vfs-serve mount itself, as
# on a local filesystem: handles survive the kernel dropping its inodes
# (the server finds the file again through its host handle), and a handle
# of a replaced file gives ESTALE, never the new file, even when ext4 has
# given the new file the old inode number.
. "$(dirname "$0")/lib.sh"
plan 23

P=$HELPERS/handle_probe
backing=$T_TMP/backing
mnt=$T_TMP/mnt
make_ext4 "$backing" 32 || { not_ok "make ext4 fixture"; finish; exit 1; }

# state_of MNT INO: the store's state of the inode for host inode INO.
state_of() { ctl "$1" "dump ino=$2" | sed -n 's/.* state=\([a-z]*\).*/\1/p' | head -1; }
retired() { [ "$(state_of "$1" "$2")" = retired ]; }
# gone MNT INO: the store has no inode for host inode INO.
gone() { ! ctl "$1" "dump ino=$2" | grep -q '^inode'; }

serve "$backing" "$mnt" --inode-file-handles=prefer --log "$T_TMP/decisions" || exit 1
echo one >"$mnt/f"
mkdir "$mnt/dir"
H=$("$P" get "$mnt/f")
D=$("$P" get "$mnt/dir")
read -r nodeid gen < <("$P" decode "$H")
check_eq "a handle opens its file" one "$("$P" open "$mnt" "$H")"

ino=$(stat -c %i "$backing/f")
drop_caches
check "the guest's FORGET retires the inode" retry 100 retired "$mnt" "$ino"
check_eq "after a cache drop the handle still opens its file" one "$("$P" open "$mnt" "$H")"
check "... through a LOOKUP \".\" that revived the forgotten nodeid" \
	grep -q '"event":"inode_revived".*"nodeid":'"$nodeid" "$T_TMP/decisions"
check "a directory handle opens after a cache drop" "$P" open "$mnt" "$D"

rm "$mnt/f"
echo two >"$backing/g"
check_eq "ext4 reused the inode number for the new file" "$ino" "$(stat -c %i "$backing/g")"
drop_caches
out=$("$P" open "$mnt" "$H")
check_eq "the old file's handle gives ESTALE after unlink and recreate" ESTALE "$out"
check_eq "the new file is still read through its own name" two "$(cat "$mnt/g")"
G=$("$P" get "$mnt/g")
read -r gnodeid ggen < <("$P" decode "$G")
check "the new file has another nodeid (nodeids are never reused)" [ "$gnodeid" != "$nodeid" ]

check_eq "a forged nodeid gives ESTALE" ESTALE \
	"$("$P" open "$mnt" "$("$P" fuse 987654321 "$gen")")"
check_eq "the right nodeid with the wrong generation gives ESTALE" ESTALE \
	"$("$P" open "$mnt" "$("$P" fuse "$gnodeid" $((ggen + 1)))")"
check_eq "the root's nodeid with a forged generation gives ESTALE" ESTALE \
	"$("$P" open "$mnt" "$("$P" fuse 1 7)")"
check "invariants hold" invariants "$mnt"
check "the server counted the stale handle" [ "$(counter "$mnt" stale_handles)" -ge 1 ]
check "clean unmount" unserve "$mnt"

# The bound: with no room for forgotten inodes, a dropped inode is gone.
rm -f "$backing"/*
serve "$backing" "$mnt" --inode-file-handles=prefer --retired-max=0 || exit 1
echo three >"$mnt/h"
H=$("$P" get "$mnt/h")
check_eq "--retired-max=0: the handle opens while the inode is cached" three "$("$P" open "$mnt" "$H")"
drop_caches
check "--retired-max=0: the forgotten inode leaves the store" retry 100 gone "$mnt" "$(stat -c %i "$backing/h")"
check_eq "--retired-max=0: after a cache drop the handle is stale" ESTALE "$("$P" open "$mnt" "$H")"
check "clean unmount" unserve "$mnt"

# never: no host handle to find a forgotten file again (documented).
serve "$backing" "$mnt" --inode-file-handles=never || exit 1
H=$("$P" get "$mnt/h")
check_eq "never: the handle opens while the inode is cached" three "$("$P" open "$mnt" "$H")"
drop_caches
check "never: the forgotten inode leaves the store" retry 100 gone "$mnt" "$(stat -c %i "$backing/h")"
check_eq "never: after a cache drop the handle is stale" ESTALE "$("$P" open "$mnt" "$H")"
check "clean unmount" unserve "$mnt"
finish
