#!/bin/bash
# vm-timeout: 60
# options/func_stack_trace (functrace -s) on this kernel: is it one flag for
# every instance (then functrace must restore it after a kill -9: its
# record is a synthetic event <group>_restore_func_stack_trace, which this
# kernel must accept), and the reaper of a killed functrace -s turns it
# off again when functrace had turned it on, and leaves it on when someone
# else had.
set -euo pipefail
. "$(dirname "$0")/common.bash"
[[ $(cat "$TRACEFS/available_tracers") == *function* ]] || skip "no function tracer on $(uname -r)"
top=$TRACEFS/options/func_stack_trace
i=$TRACEFS/instances/stackprobe_$$
[[ $(cat "$top") == 0 ]] || fail "func_stack_trace is on at boot"
mkdir "$i"
# (one function only: every kernel function under TCG stalls the guest)
echo do_sys_openat2 >"$i/set_ftrace_filter"
echo function >"$i/current_tracer"
echo 1 >"$i/options/func_stack_trace"
shared=$(cat "$top")
echo 0 >"$i/options/func_stack_trace"
echo nop >"$i/current_tracer"
rmdir "$i"
note "$(uname -r): an instance's options/func_stack_trace $([[ $shared == 1 ]] && echo "IS shared with the top level (global)" || echo "is per instance")"
[[ $(cat "$top") == 0 ]] || fail "func_stack_trace did not go back to 0"

# The record: a synthetic event of this name is accepted and removed.
echo 'snoop_0a1b2c3d_1_restore_func_stack_trace u64 unused' >>"$TRACEFS/synthetic_events" ||
	fail "the kernel refused the restore record"
grep -q '^snoop_0a1b2c3d_1_restore_func_stack_trace' "$TRACEFS/synthetic_events" || fail "record not listed"
echo '!snoop_0a1b2c3d_1_restore_func_stack_trace' >>"$TRACEFS/synthetic_events"

r_before
# functrace -s turned it on; kill -9: its reaper turns it off.
r_start ft functrace -s do_sys_openat2
[[ $(cat "$top") == 1 ]] || fail "functrace -s: func_stack_trace not on"
grep -q "_restore_func_stack_trace" "$TRACEFS/synthetic_events" || fail "functrace -s left no record"
r=$(r_reaper_of "$BG_PID") || fail "functrace has no snoop-reaper"
title=$(tr '\0' ' ' <"/proc/$r/cmdline")
[[ $title == "snoop-reaper for functrace $BG_PID (snoop_functrace_"*"_$BG_PID) " ]] || fail "the reaper's argv: '$title'"
note "ps shows the reaper as: $title"
kill -9 "$BG_PID"; wait "$BG_PID" 2>/dev/null || true; _bg_forget "$BG_PID"
ms=$(r_wait_clean 1000)
[[ $(cat "$top") == 0 ]] || fail "func_stack_trace still on after the reaper"
r_check "functrace -s killed"
note "functrace -s killed: func_stack_trace back to 0 within $ms ms"

# Someone else had it on: functrace -s leaves no record, the reaper and
# the sweep leave it on.
echo 1 >"$top"
r_start ft2 functrace -s do_sys_openat2
if grep -q "_restore_func_stack_trace" "$TRACEFS/synthetic_events"; then fail "a record although the option was on already"; fi
kill -9 "$BG_PID"; wait "$BG_PID" 2>/dev/null || true; _bg_forget "$BG_PID"
ms=$(r_wait_clean 1000)
[[ $(cat "$top") == 1 ]] || fail "the reaper turned off an option someone else had turned on"
echo 0 >"$top"
note "func_stack_trace on before functrace -s: left on after its kill -9"

# Two functrace -s at once: each holds a record, and the flag goes off only
# when the last of them goes: the first killed (its reaper must leave the
# flag on for the second), then the second ended normally (its close turns
# it off). Both ways go through the same restore (lib/sweep.c).
r_start fa functrace -s do_sys_openat2
A=$BG_PID
r_start fb functrace -s do_sys_openat2
B=$BG_PID
n=$(grep -c "_restore_func_stack_trace" "$TRACEFS/synthetic_events" || true)
((n == 2)) || fail "two functrace -s: $n restore records, expected 2"
kill -9 "$A"; wait "$A" 2>/dev/null || true; _bg_forget "$A"
for ((i = 0; i < 100; i++)); do
	[[ -z $(snoop_instance_of "$A") ]] && ! grep -q "_${A}_restore_" "$TRACEFS/synthetic_events" && break
	sleep 0.05
done
[[ -z $(snoop_instance_of "$A") ]] || fail "the reaper did not remove the killed functrace's instance"
[[ $(cat "$top") == 1 ]] || fail "the reaper of a killed functrace -s turned func_stack_trace off under another"
cat /proc/version >/dev/null
sleep 0.5
stop_bg -p "$B"; _bg_forget "$B"
grep -qE $'^\t=> ' fb.out || fail "the second functrace -s printed no stack after the first was killed"
[[ $(cat "$top") == 0 ]] || fail "func_stack_trace still on after both functrace -s ended"
r_check "two functrace -s, one killed"
note "two functrace -s, the first killed: the flag stayed on for the other, off after both"
