#!/bin/bash
# --top with stdout to a file: the count mode's table, every interval and at
# the end, with exact counts for known calls; PROCS per function, --by pid
# and --by comm columns; q-less exit by SIGINT leaves tracefs clean.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot

opener_start 7 4
ft_start top.txt --top -i 0.5 -p "$OPENER" do_sys_openat2
opener_run
sleep 1.2
ft_stop top.txt
cat top.txt >&2
n=$(grep -cE '^ +COUNT +PROCS +FUNCTION$' top.txt || true)
((n >= 2)) || fail "expected a table every 0.5 s, got $n"
grep -qE '^[0-9:]{8} functrace --top -i 0\.5 -p [0-9]+ do_sys_openat2: elapsed ' top.txt ||
	fail "no header line"
last=$(awk '/^ +COUNT +PROCS/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' top.txt)
grep -qE '^ +11 +2 do_sys_openat2$' <<<"$last" || fail "expected do_sys_openat2: 11 calls by 2 processes (ft_opener and its child)"
ft_assert_clean

opener_start 5 2
ft_start pid.txt --top -i 0.5 --by pid -p "$OPENER" do_sys_openat2
opener_run
sleep 1.2
ft_stop pid.txt
cat pid.txt >&2
last=$(awk '/^ +COUNT +PID/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' pid.txt)
grep -qE '^ +COUNT +PID +COMM +FUNCTION$' <<<"$last" || fail "no --by pid header"
grep -qE "^ +5 +$OPENER ft_opener +do_sys_openat2\$" <<<"$last" || fail "expected ft_opener $OPENER: 5"
ft_assert_clean

opener_start 6 0
ft_start comm.txt --top -i 0.5 --by comm -n ft_opener do_sys_openat2 do_filp_open
opener_run
sleep 1.2
ft_stop comm.txt
cat comm.txt >&2
last=$(awk '/^ +COUNT +COMM/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' comm.txt)
grep -qE '^ +6 ft_opener +do_sys_openat2$' <<<"$last" || fail "expected ft_opener do_sys_openat2 6"
grep -qE '^ +6 ft_opener +do_filp_open$' <<<"$last" || fail "expected ft_opener do_filp_open 6"
ft_assert_clean
