#!/bin/bash
# Counts per cgroup (cgroup v2): an ft_opener in A (5 opens, 2 more in a
# child it forks: A by fork inheritance) and one moved into B after the
# start (3 opens). -c --by cgroup counts exactly A 7, B 3 (JSON); --top -C
# keys its rows by cgroup too (a CGROUP column before the function).
# vm-timeout: 60
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

require_file "$TRACEFS/events/cgroup/cgroup_attach_task" "no cgroup tracepoints"
CG=/sys/fs/cgroup
grep -q "^cgroup2 $CG " /proc/mounts || mount -t cgroup2 cgroup2 "$CG" || skip "cannot mount cgroup v2"
mkdir -p "$CG/A" "$CG/B"
ft_snapshot

opener_start 5 2
OA=$OPENER
opener_start 3 0
OB=$OPENER
echo "$OA" >"$CG/A/cgroup.procs"
ft_start c.json -c -j --by cgroup -n ft_opener do_sys_openat2
C=$BG_PID
ft_start top.txt --top -i 0.5 -C -n ft_opener do_sys_openat2
T=$BG_PID
echo "$OB" >"$CG/B/cgroup.procs"
kill -USR1 "$OA" "$OB"
wait "$OA" "$OB"
sleep 1.2
stop_bg -p "$T" -e 0 -t 20
stop_bg -p "$C" -e 0 -t 20
cat c.json top.txt >&2

json_check c.json - <<'PY'
got = {r["cgroup"]: r["count"] for r in rows if r.get("type") == "count"}
assert got == {"/A": 7, "/B": 3}, got
PY
last=$(awk '/^ +COUNT +PROCS/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' top.txt)
grep -qE '^ +COUNT +PROCS +CGROUP +FUNCTION$' <<<"$last" || fail "no CGROUP column in --top -C"
grep -qE '^ +7 +2 /A +do_sys_openat2$' <<<"$last" || fail "--top -C: expected /A: 7 calls by 2 processes"
grep -qE '^ +3 +1 /B +do_sys_openat2$' <<<"$last" || fail "--top -C: expected /B: 3 calls by 1 process"
ft_assert_clean
