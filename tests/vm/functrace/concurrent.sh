#!/bin/bash
# Two functrace sessions and an execsnoop at the same time, each session on
# its own process and function: each sees exactly its own calls and nothing
# of the other's, all clean up, the top level is untouched.
# vm-timeout: 120
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
# Two workloads: A's opens 3 times, B's 4 times, both the same file (one
# open of an existing file is one call of do_sys_openat2 and of vfs_open).
opener_start 3 0
OA=$OPENER
opener_start 4 0
OB=$OPENER
ft_start a.txt -p "$OA" do_sys_openat2
A=$BG_PID
ft_start b.json -c -j --by pid -p "$OB" vfs_open
B=$BG_PID
start_bg "$SNOOP_BIN/execsnoop" >exec.txt 2>exec.err
E=$BG_PID
for ((i = 0; i < 200; i++)); do
	d=$(snoop_instance_of "$E")
	[[ -n $d ]] && snoop_armed "$d" && break
	((i < 199)) || fail "execsnoop did not arm in 20 s: $(cat exec.err)"
	sleep 0.1
done
kill -USR1 "$OA" "$OB"
wait "$OA" "$OB"
/bin/true
sleep 1
stop_bg -p "$E" -e 0 -t 20
stop_bg -p "$B" -e 0 -t 20
stop_bg -p "$A" -e 0 -t 20
cat a.txt b.json exec.txt >&2

# A: the 3 calls of its process, and no other line.
n=$(grep -cE "^ft_opener +$OA +[0-9]+ +do_sys_openat2 <- " a.txt || true)
((n == 3)) || fail "session A: $n calls by $OA, expected 3"
((n == $(grep -c . a.txt))) || fail "session A shows lines that are not its process's do_sys_openat2 calls"
! grep -qE "^[^ ]+ +$OB " a.txt || fail "session A saw B's process"
! grep -q vfs_open a.txt || fail "session A saw B's function"

# B: exactly one count, 4 calls of vfs_open by its process.
json_check b.json - <<PY
rows = [r for r in rows if r.get("type") == "count"]
assert len(rows) == 1, rows
r = rows[0]
assert r["pid"] == $OB and r["func"] == "vfs_open" and r["count"] == 4 and r["final"] is True, r
PY
grep -q 'true' exec.txt || fail "execsnoop missed /bin/true"
ft_assert_clean
