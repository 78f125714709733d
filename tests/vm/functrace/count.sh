#!/bin/bash
# -c counts exactly N for N known calls, in text and JSON, per function and
# --by pid/comm; -i prints intervals.
# vm-timeout: 120
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot

opener_start 7 4
ft_start out.txt -c -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out.txt
cat out.txt >&2
grep -qE '^FUNC +COUNT$' out.txt || fail "no table header"
grep -qE '^do_sys_openat2 +11$' out.txt || fail "expected do_sys_openat2 11"
ft_assert_clean

# --by pid, JSON.
opener_start 5 2
ft_start out.json -c -j --by pid -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out.json
cat out.json >&2
json_check out.json - <<PY
rows = [r for r in rows if r.get("type") == "count"]
by = {r["pid"]: r for r in rows}
assert by[$OPENER]["count"] == 5 and by[$OPENER]["func"] == "do_sys_openat2", by
assert by[$OPENER]["comm"] == "ft_opener" and by[$OPENER]["final"] is True, by
other = [r for r in rows if r["pid"] != $OPENER]
assert len(other) == 1 and other[0]["count"] == 2, other
PY
ft_assert_clean

# --by comm, several functions, sorted by count.
opener_start 6 0
ft_start out2.txt -c --by comm -n ft_opener do_sys_openat2 do_filp_open
opener_run
sleep 1
ft_stop out2.txt
cat out2.txt >&2
grep -qE '^COMM +FUNC +COUNT$' out2.txt || fail "no --by comm header"
grep -qE '^ft_opener +do_sys_openat2 +6$' out2.txt || fail "expected ft_opener do_sys_openat2 6"
grep -qE '^ft_opener +do_filp_open +6$' out2.txt || fail "expected ft_opener do_filp_open 6"

# -i: a table per interval, counts reset each time.
ft_start out3.txt -c -i 1 -d 3.5 do_sys_openat2
wait "$BG_PID" || fail "functrace -d exited $?"
_bg_forget "$BG_PID"
cat out3.txt >&2
n=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' out3.txt || true)
((n >= 3)) || fail "expected at least 3 intervals, got $n"
ft_assert_clean
