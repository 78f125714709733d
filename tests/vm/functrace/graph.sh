#!/bin/bash
# -g: the function_graph tracer in the instance: entry and exit of each
# matched call, with a duration.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

grep -qw function_graph "$TRACEFS/available_tracers" || skip "no function_graph tracer"
ft_snapshot

# Older kernels (6.1) allow function_graph only at the top level, which
# functrace leaves to others: a clear refusal, exit 69, nothing left.
if ! ft_graph_in_instances; then
	rc=0
	"$FT" -g do_sys_openat2 >o.txt 2>e.txt || rc=$?
	cat e.txt >&2
	((rc == 69)) || fail "-g where instances cannot: exit $rc, expected 69"
	grep -q 'does not allow the function_graph tracer in a tracefs instance' e.txt || fail "unclear error"
	ft_assert_clean
	note "function_graph is not allowed in instances on $(uname -r): refusal checked"
	exit 0
fi

opener_start 2 0
ft_start out.txt -g -H -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out.txt
cat out.txt >&2
head -n1 out.txt | grep -qE '^COMM +PID +CPU +DURATION\(us\) +FUNCTION$' || fail "no graph header"
n_in=$(grep -cE "^ft_opener +$OPENER +[0-9]+ +do_sys_openat2\(\) \{$" out.txt || true)
n_out=$(grep -cE "^ft_opener +$OPENER +[0-9]+ +[0-9]+\.[0-9]{3} +\} do_sys_openat2$" out.txt || true)
((n_in == 2 && n_out == 2)) || fail "expected 2 entries and 2 exits with durations, saw $n_in and $n_out"
ft_assert_clean

opener_start 1 0
ft_start out.json -g -j -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out.json
json_check out.json - <<PY
ent = [r for r in rows if r["type"] == "entry"]
ext = [r for r in rows if r["type"] == "exit"]
assert len(ent) == 1 and len(ext) == 1, rows
assert ent[0]["func"] == ext[0]["func"] == "do_sys_openat2", rows
assert ext[0]["duration_ns"] > 0 and ext[0]["pid"] == $OPENER, rows
PY
ft_assert_clean

