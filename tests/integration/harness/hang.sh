#!/bin/bash
# Never ends by itself: blocked opening a FIFO nobody will write.
. "$(dirname "$0")/../lib.sh"
plan 1
mkfifo "$T_TMP/never"
read -r _ <"$T_TMP/never"
ok "never reached"
finish
