#!/bin/bash
# A session with hist triggers (or -c's traceoff:0 trigger on the hit-counter
# path) killed with kill -9: the kernel will not
# remove an instance that holds a trigger (rmdir: EBUSY, which the sweep
# otherwise takes for "owner alive"). Its reaper clears the triggers and
# removes everything within a second; with the reaper killed too,
# snoop-reset (the sweep) does, because the session recorded its triggers
# (synthetic event <group>_triggers) and nobody holds the instance open.
# vm-timeout: 60
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
[[ -e $TRACEFS/events/syscalls/sys_enter_clock_nanosleep/hist ]] || skip "no hist triggers (CONFIG_HIST_TRIGGERS)"
snapshot_tracefs

for mode in latency count nhit; do
	case $mode in
	latency) args=(--latency t:syscalls:sys_enter_clock_nanosleep) ;;
	count) args=(-c 't:syscalls:sys_enter_getppid') ;;
	nhit) args=(-c "p:$KGETPPID") ;; # the hit counter's traceoff:0 trigger
	esac
	# kill -9 of the tool alone: its reaper.
	kp_start o.txt "${args[@]}"
	pid=$BG_PID
	d=$(snoop_instance_of "$pid")
	grep -q . "$d"/events/*/*/trigger 2>/dev/null || fail "$mode: no trigger in $d: the test sees nothing"
	grep -qE "^snoop_[0-9a-f]+_${pid}_triggers([[:space:]]|$)" "$TRACEFS/synthetic_events" ||
		fail "$mode: the session did not record its triggers"
	snoop_reaper_of "$pid" >/dev/null || fail "$mode: no snoop-reaper for $pid"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || :
	wait_no_leftovers 1000
	assert_tracefs_unchanged
	note "$mode: kill -9 of the tool: its reaper removed triggers, instance and events"

	# kill -9 of tool and reaper: snoop-reset.
	kp_start o.txt "${args[@]}"
	pid=$BG_PID
	r=$(snoop_reaper_of "$pid") || fail "$mode: no snoop-reaper for $pid"
	kill -9 "$r" "$pid"
	wait "$pid" 2>/dev/null || :
	[[ -n $(snoop_instance_of "$pid") ]] || fail "$mode: kill -9 left nothing: the sweep is not tested"
	"$SNOOP_BIN/snoop-reset" >reset.out 2>&1 || { cat reset.out >&2; fail "snoop-reset failed"; }
	[[ -z $(snoop_leftovers) ]] || { cat reset.out >&2; fail "$mode: left after snoop-reset: $(snoop_leftovers)"; }
	assert_tracefs_unchanged
	note "$mode: kill -9 of tool and reaper: snoop-reset removed triggers, instance and events"
done
