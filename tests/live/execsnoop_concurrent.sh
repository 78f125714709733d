#!/usr/bin/env bash
# Two execsnoops at once: both see the same exec, each in its own instance,
# and both clean up.
. "$(dirname "$0")/lib.sh"

snapshot_tracefs "$WORK/before"
start_tool a "$SNOOP_BIN/execsnoop" -j
a=$BG_PID
start_tool b "$SNOOP_BIN/execsnoop" -j
b=$BG_PID
[ "$(ls "$TRACEFS/instances" | grep -cE "^snoop_execsnoop_[0-9a-f]{8}_($a|$b)\$")" = 2 ] || fail "expected two private instances"
/bin/true & pid=$!; wait $pid
sleep 0.5
stop_tool "$a" INT; sa=$BG_STATUS
stop_tool "$b" INT; sb=$BG_STATUS
[ "$sa" = 0 ] && [ "$sb" = 0 ] || fail "exit status $sa/$sb"
for f in a b; do
	grep -q "\"pid\":$pid," "$WORK/$f.out" || fail "session $f did not see PID $pid"
done
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "both sessions saw PID $pid"
