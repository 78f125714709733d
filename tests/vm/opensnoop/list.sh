#!/bin/bash
# Every open of the opener (absolute, relative to cwd and to a dirfd, odd
# bytes, ENOENT, O_CREAT 0640, openat2, creat, open, 4 threads) is reported
# with its path, fd, errno, flags, mode and TID; -F makes the paths absolute.
# vm-timeout: 60
set -euo pipefail
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
snapshot_tracefs

start_opener
trace all -e -F
check all --full-path "$PWD/w"

# The text output escapes the control bytes.
start_opener
start_bg "$OS" -e -n opener >text.out 2>text.err
wait_armed "$BG_PID"
touch w/go
wait "$OPENER"
stop_bg
grep -q 'esc\\x1b\[31mred.txt' text.out || fail "ANSI escape not escaped: $(grep esc text.out)"
grep -q 'new\\nline.txt' text.out || fail "newline not escaped"
grep -q 'bad\\xff\\xfe.txt' text.out || fail "non-UTF-8 not escaped"
grep -q 'ENOENT.*missing/nope.txt' text.out || fail "no ENOENT line"
# (creat(2) exists on x86_64 only: arm64's syscall table has openat alone.)
[[ $(uname -m) != x86_64 ]] ||
	grep -Eq 'O_WRONLY\|O_CREAT\|O_TRUNC +0640 +creat.txt' text.out || fail "creat's flags/mode: $(grep creat.txt text.out)"
! grep -q $'\x1b' text.out || fail "a raw ESC reached the output"
# The columns stay in line whatever the FLAGS: O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC
# is wider than its column and is written without the O_ prefixes.
grep -Eq ' WRONLY\|CREAT\|EXCL\|CLOEXEC +0600 +in sub.txt$' text.out ||
	fail "wide FLAGS not shortened: $(grep 'in sub' text.out)"
awk 'NR == 1 { m = index($0, "MODE"); next }
	{ s = substr($0, m - 1, 7); if (s !~ /^ (-    |[0-7][0-7][0-7][0-7] ) $/) { print "out of line: " $0; bad = 1 } }
	END { exit bad }' text.out || fail "the MODE column is out of line"

# Shown with tests/vm/run -v (examples/opensnoop_example.txt comes from it).
start_opener
start_bg "$OS" -U -e -F -n opener >ex.out 2>ex.err
wait_armed "$BG_PID"
touch w/go
wait "$OPENER"
stop_bg
echo "--- opensnoop -U -e -F -n opener" >&2
cat ex.out ex.err >&2
start_opener
start_bg "$OS" -x -t >ex2.out 2>ex2.err
wait_armed "$BG_PID"
touch w/go
wait "$OPENER"
stop_bg
echo "--- opensnoop -x -t" >&2
cat ex2.out ex2.err >&2
assert_tracefs_unchanged
