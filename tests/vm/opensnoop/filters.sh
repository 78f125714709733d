#!/bin/bash
# -x, -p, -L, -n, -u and the path glob each keep exactly what they should.
# vm-timeout: 120
set -euo pipefail
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
snapshot_tracefs

start_opener
trace x -x -n opener
check x --failed

start_opener
trace p -p "$OPID"
check p --exclusive

start_opener
trace L -L "${TIDS[2]}"
check L --tids "${TIDS[2]}" --exclusive

start_opener
trace n -n opener
check n --exclusive

start_opener 1000
trace u -u 1000
check u --exclusive --uid 1000

start_opener
trace glob -n opener 'thread [12].txt'
check glob --glob 'thread [12].txt'

# A pattern the kernel's filter cannot take (a backslash) runs in user space.
start_opener
trace globu -n opener '*\e*'
check globu --glob '*e*'
assert_tracefs_unchanged
