#!/bin/bash
# -G: the call graph below do_sys_openat2 of one open(2), at the right
# depths (relative to the -G call), in text and JSON; --depth cuts it;
# nothing outside the graph shows; the top level is never touched.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

grep -qw function_graph "$TRACEFS/available_tracers" || skip "no function_graph tracer"
ft_snapshot
echo hello >"$PWD/target.txt"

# Older kernels (6.1) allow function_graph at the top level only: one
# clear line, exit 69, nothing left.
if ! ft_graph_in_instances; then
	rc=0
	"$FT" -G do_sys_openat2 >o.txt 2>e.txt || rc=$?
	cat e.txt >&2
	((rc == 69)) || fail "-G where instances cannot: exit $rc, expected 69"
	[[ $(wc -l <e.txt) == 1 ]] || fail "expected one line on stderr"
	grep -q "does not allow the function_graph tracer in a tracefs instance" e.txt || fail "unclear error"
	ft_assert_clean
	note "function_graph is not allowed in instances on $(uname -r): -G refusal checked"
	exit 0
fi

# The workload: one open, then 2 fast sleeps and one of 20 ms (not in the graph).
WL="1 0 2 20"

# Text: the indentation is the depth below do_sys_openat2 (2 spaces each).
ft_traced_opener out.txt "$WL" -H -G do_sys_openat2
head -n1 out.txt | grep -qE '^COMM +PID +CPU +DURATION\(us\) +FUNCTION$' || fail "no graph header"
# Fixed columns: COMM(16) PID(7) CPU(3), DURATION(12), then the function
# indented by its depth. graph_text FILE: "DURATION|FUNCTION" of our lines.
graph_text() {
	grep -E "^ft_opener +$OPENER " "$1" | cut -c30- | sed -E 's/^(.{12})  /\1|/; s/^ +//'
}
graph_text out.txt >g.txt
grep -qxF '|do_sys_openat2() {' g.txt || { head -n 30 g.txt >&2; fail "no do_sys_openat2 at depth 0"; }
grep -qxF '|  do_filp_open() {' g.txt || fail "no do_filp_open at depth 1"
grep -qxF '|    path_openat() {' g.txt || fail "no path_openat at depth 2"
grep -qE '^[0-9]+\.[0-9]{3}\|    \} path_openat$' g.txt || fail "no path_openat exit at depth 2 with a duration"
grep -qE '^[0-9]+\.[0-9]{3}\|  \} do_filp_open$' g.txt || fail "no do_filp_open exit at depth 1 with a duration"
[[ $(grep -cE '^[0-9]+\.[0-9]{3}\|\} do_sys_openat2$' g.txt) == 1 ]] || fail "not one do_sys_openat2 exit at depth 0"
[[ $(head -n1 g.txt) == '|do_sys_openat2() {' ]] || fail "the graph does not start at do_sys_openat2"
# Leaves are one line with a duration, as in the kernel's funcgraph.
grep -qE '^[0-9]+\.[0-9]{3}\| +[a-z_][a-z0-9_.]*\(\);$' g.txt || fail "no leaf line"
# Only the graph below do_sys_openat2: the sleeps are not in it.
! grep -q nanosleep out.txt || fail "calls outside the -G function were shown"
ft_assert_clean

# JSON: entry/exit records in pairs, depths relative to the -G call.
ft_traced_opener out.json "$WL" -j -G do_sys_openat2
json_check out.json - <<PY
ent = [r for r in rows if r["type"] == "entry"]
ext = [r for r in rows if r["type"] == "exit"]
assert len(ent) == len(ext) > 10, (len(ent), len(ext))
assert all(r["pid"] == $OPENER for r in rows)
root = [r for r in rows if r["depth"] == 0]
assert [(r["type"], r["func"]) for r in root] == [("entry", "do_sys_openat2"), ("exit", "do_sys_openat2")], root
assert rows[0] == root[0] and rows[-1] == root[1], "the root opens and closes the graph"
d = {r["func"]: r["depth"] for r in ent}
assert d["do_filp_open"] == 1 and d["path_openat"] == 2, d
# Each exit closes the latest open entry, of the same function and depth.
# An entry is one level below the open one, or more: the depth is the
# kernel's, and an interrupt's first function came more than one level
# below the open call once (irq_enter_rcu at depth 7, in an ASan build's run).
stack = []
for r in rows:
    if r["type"] == "entry":
        assert r["depth"] == len(stack) or (stack and r["depth"] > stack[-1][1]), r
        stack.append((r["func"], r["depth"]))
    else:
        assert stack and stack[-1] == (r["func"], r["depth"]), r
        assert r["duration_ns"] > 0, r
        stack.pop()
assert not stack
assert not any("nanosleep" in r["func"] for r in rows)
PY
ft_assert_clean

# --depth 2: do_sys_openat2 and its callees, nothing deeper: do_filp_open
# becomes a leaf. (--no-irq rides along: it must not cut the graph.)
ft_traced_opener out2.txt "$WL" --depth 2 --no-irq -G do_sys_openat2
graph_text out2.txt >g2.txt
grep -qE '^[0-9]+\.[0-9]{3}\|  do_filp_open\(\);$' g2.txt || { cat g2.txt >&2; fail "--depth 2: do_filp_open is not a leaf at depth 1"; }
! grep -q '|    ' g2.txt || { cat g2.txt >&2; fail "--depth 2 showed depth 2"; }
grep -q '|  ' g2.txt || fail "--depth 2 showed no depth 1"
! grep -q path_openat out2.txt || fail "--depth 2 showed path_openat"
ft_assert_clean
