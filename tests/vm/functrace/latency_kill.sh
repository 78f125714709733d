#!/bin/bash
# functrace --latency killed with kill -9: its reaper removes the kprobe
# and kretprobe and the instance; with the reaper killed too, snoop-reset
# (the sweep) does.
# vm-timeout: 60
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"
ft_require_kprobes
ft_snapshot

ft_lat_start o.txt --latency do_nanosleep --slower-than 1ms
pid=$BG_PID
grep -q "_${pid}/lat0_return" "$TRACEFS/dynamic_events" || fail "no kretprobe: the test sees nothing"
snoop_reaper_of "$pid" >/dev/null || fail "no snoop-reaper for $pid"
kill -9 "$pid"
wait "$pid" 2>/dev/null || :
wait_no_leftovers 1000
ft_assert_clean
note "kill -9 of functrace: its reaper removed the probes and the instance"

ft_lat_start o.txt --latency do_nanosleep
pid=$BG_PID
r=$(snoop_reaper_of "$pid") || fail "no snoop-reaper for $pid"
kill -9 "$r" "$pid"
wait "$pid" 2>/dev/null || :
[[ -n $(snoop_instance_of "$pid") ]] || fail "kill -9 left nothing: the sweep is not tested"
"$SNOOP_BIN/snoop-reset" >reset.out 2>&1 || { cat reset.out >&2; fail "snoop-reset failed"; }
[[ -z $(snoop_leftovers) ]] || { cat reset.out >&2; fail "left after snoop-reset: $(snoop_leftovers)"; }
ft_assert_clean
note "kill -9 of functrace and its reaper: snoop-reset removed the probes and the instance"
