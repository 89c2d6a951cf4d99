#!/bin/bash
# Takes longer than the harness's 3 s default and says so: it must pass.
# limit: 10 s
. "$(dirname "$0")/../lib.sh"
plan 1
sleep 4 # the subject: a test longer than the default limit
ok "ran past the default limit"
finish
