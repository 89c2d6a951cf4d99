#!/bin/bash
# Passes, but leaves a child blocked opening a FIFO nobody will write
# (in $ORPHAN_DIR, which outlives this test's own directory).
. "$(dirname "$0")/../lib.sh"
plan 1
mkfifo "$ORPHAN_DIR/never"
sh -c 'echo started >"$2"; exec cat <"$1"' orphan-reader "$ORPHAN_DIR/never" "$ORPHAN_DIR/started" &
retry 200 test -s "$ORPHAN_DIR/started"
ok "the child is started"
finish
