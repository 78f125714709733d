#!/bin/bash
# -G ends clean after -M and -d (graph_signals: after signals): no snoop_*
# instance left, the top level's tracer and graph settings as they were.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_graph_begin

# -M 5: five lines, then a normal end by itself.
ft_opener 1 0 "$PWD/target.txt" &
W=$!
ft_start m.txt -M 5 -G do_sys_openat2 -p "$W"
kill -USR1 "$W"
wait "$W"
stop_bg -e 0 -t 20 -s CONT || { cat m.txt.err >&2; fail "-M 5 did not end cleanly"; }
[[ $(wc -l <m.txt) == 5 ]] || { cat m.txt >&2; fail "-M 5 printed $(wc -l <m.txt) lines"; }
ft_assert_clean

# -d: the timer ends it.
"$FT" -G do_sys_openat2 -p 1 -d 0.5 >d.txt 2>d.err || { cat d.err >&2; fail "-d 0.5: exit $?"; }
ft_assert_clean
