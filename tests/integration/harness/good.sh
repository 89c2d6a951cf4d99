#!/bin/bash
# Passes as planned.
. "$(dirname "$0")/../lib.sh"
plan 2
ok "one"
ok "two"
finish
