#!/bin/bash
# -G --min-duration: of three clock_nanosleep(2) calls only the one made
# slow on purpose (100 ms) is shown, with its slow callees down to
# schedule() and a summary of the faster ones.
# vm-timeout: 60
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_graph_begin
NS=$(ksys clock_nanosleep)

ft_traced_opener out.json "1 0 2 100" -j --min-duration 30ms -G $NS
W=$OPENER
json_check out.json - <<PY
assert all(r["type"] == "call" and r["pid"] == $W for r in rows), rows
roots = [r for r in rows if r["depth"] == 0]
assert len(roots) == 1 and roots[0]["func"] == "$NS", roots
assert all(r["duration_ns"] >= 30000000 for r in rows), rows
assert roots[0]["duration_ns"] >= 100000000, roots
f = {r["func"]: r for r in rows}
assert "do_nanosleep" in f and "schedule" in f, rows
assert f["schedule"]["depth"] > f["do_nanosleep"]["depth"] > 0, rows
# Depth-first order: each record is one level below some earlier one.
for a, b in zip(rows, rows[1:]):
    assert b["depth"] <= a["depth"] + 1, (a, b)
assert sum(r["faster_calls"] for r in rows) > 0, "no summary of the faster callees"
PY
ft_assert_clean

ft_traced_opener out.txt "1 0 2 100" --min-duration 30000 -G $NS
W=$OPENER
cat out.txt >&2
pre="^ft_opener +$W +[0-9]+ +"
[[ $(grep -cE "${pre}$NS\(\) \{$" out.txt) == 1 ]] || fail "expected the slow call alone"
grep -qE "${pre}[0-9]{6}\.[0-9]{3}  \} $NS" out.txt || fail "no 100 ms duration on its exit"
grep -qE '/\* \+[0-9]+ faster calls?: [0-9]+\.[0-9]{3} us \*/$' out.txt || fail "no summary of faster calls"
ft_assert_clean
