#!/bin/bash
# -G ends clean after SIGTERM, and after SIGKILL then snoop-reset
# (graph_cleanup: -M and -d): no snoop_* instance left, the top level's
# tracer and graph settings as they were.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_graph_begin

# SIGTERM
ft_opener 1 0 "$PWD/target.txt" &
W=$!
ft_start t.txt -G do_sys_openat2 -p "$W"
stop_bg -s TERM -e 0 -t 20 || { cat t.txt.err >&2; fail "SIGTERM: not a clean end"; }
kill "$W"
wait "$W" || true
ft_assert_clean

# SIGKILL of the tool and its reaper leaves the instance, function_graph
# selected in it; snoop-reset removes it (its owner is gone) and nothing
# else changes. (SIGKILL of the tool alone is its reaper's case:
# reliability/cleanup_functrace.)
ft_opener 1 0 "$PWD/target.txt" &
W=$!
ft_start k.txt -G do_sys_openat2 -p "$W"
inst=$(snoop_instance_of "$BG_PID")
reaper=$(snoop_reaper_of "$BG_PID") || fail "no snoop-reaper for functrace $BG_PID"
kill -9 "$reaper"
stop_bg -s KILL -a -t 20
[[ -n $inst && -d $inst && $(cat "$inst/current_tracer") == function_graph ]] || fail "SIGKILL: expected the instance left with its tracer"
kill "$W"
wait "$W" || true
"$SNOOP_BIN/snoop-reset" >r.txt 2>&1 || { cat r.txt >&2; fail "snoop-reset failed"; }
[[ ! -d $inst ]] || fail "snoop-reset left $inst"
ft_assert_clean
