#!/bin/bash
# --top with stdout to a file, on the kprobe path: paths by count with the
# failures, the last errno and the processes; a path with an escape shows
# escaped; a table every interval and at the end.
# vm-timeout: 60
set -euo pipefail
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
snapshot_tracefs

d=$PWD/t
mkdir "$d"
echo hi >"$d/exists"
echo hi >"$d/"$'esc\e[1mname'
last_table() { awk '/^ +OPENS / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$1"; }

start_bg "$OS" --top -i 0.5 "$d/*" >top.txt 2>err
wait_armed "$BG_PID"
cat "$d/exists" "$d/exists" "$d/exists" >/dev/null
cat "$d/missing" 2>/dev/null || true
cat "$d/missing" 2>/dev/null || true
cat "$d/"$'esc\e[1mname' >/dev/null
sleep 1
stop_bg
cat top.txt
n=$(grep -cE '^ +OPENS +FAILS +LAST ERR +PROCS +PATH$' top.txt || true)
((n >= 2)) || fail "expected a table every 0.5 s, got $n"
t=$(last_table top.txt)
grep -qE "^ +3 +0 +- +1 $d/exists\$" <<<"$t" || fail "expected exists: 3 opens by 1 process"
grep -qE "^ +2 +2 +ENOENT +2 $d/missing\$" <<<"$t" || fail "expected missing: 2 failed opens (ENOENT) by 2 processes"
grep -qF "$d/esc\\x1b[1mname" <<<"$t" || fail "escaped row missing"
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' top.txt; then
	fail "a control byte in the text table"
fi
assert_tracefs_unchanged
