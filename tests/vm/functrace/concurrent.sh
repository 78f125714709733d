#!/bin/bash
# Two functrace sessions and an execsnoop at the same time: each sees its
# own events, all clean up, the top level is untouched.
# vm-timeout: 120
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
opener_start 3 0
ft_start a.txt -p "$OPENER" do_sys_openat2
A=$BG_PID
ft_start b.txt -c vfs_open
B=$BG_PID
start_bg "$SNOOP_BIN/execsnoop" >exec.txt 2>exec.err
E=$BG_PID
for ((i = 0; i < 200; i++)); do
	snoop_armed "$TRACEFS/instances/snoop_execsnoop_$E" && break
	((i < 199)) || fail "execsnoop did not arm in 20 s: $(cat exec.err)"
	sleep 0.1
done
opener_run
/bin/true
sleep 1
stop_bg -p "$E" -e 0 -t 20
stop_bg -p "$B" -e 0 -t 20
stop_bg -p "$A" -e 0 -t 20
cat a.txt b.txt exec.txt >&2
n=$(grep -cE "^ft_opener +$OPENER .* do_sys_openat2 <- " a.txt || true)
((n == 3)) || fail "session A: $n calls, expected 3"
! grep -q vfs_open a.txt || fail "session A saw B's function"
grep -qE '^vfs_open +[0-9]+$' b.txt || fail "session B counted nothing"
! grep -q do_sys_openat2 b.txt || fail "session B saw A's function"
grep -q 'true' exec.txt || fail "execsnoop missed /bin/true"
ft_assert_clean
