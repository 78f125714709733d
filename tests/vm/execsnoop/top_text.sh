#!/bin/bash
# --top with stdout to a file, on the kprobe path: the table is printed every
# interval and at the end; a row is the file name and the first three
# arguments (from the kernel, so even a command that exits at once has them),
# with more arguments shown as "...", escapes escaped; -x adds FAILS.
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

es_start top.out --top -i 0.5
for i in 1 2 3; do /bin/echo one two three four >/dev/null; done
/bin/echo $'\e[31mred' >/dev/null
/bin/true short
sleep 1.2
es_stop top.out

n=$(grep -cE '^ +COUNT +LAST PID +LAST PPID +COMMAND$' top.out || true)
[[ $n -ge 3 ]] || { cat top.out >&2; fail "expected a table every 0.5 s, got $n"; }
grep -qE '^[0-9:]{8} execsnoop --top -i 0\.5: elapsed ' top.out || {
	cat top.out >&2; fail "no header line"; }
# The last table, printed at the end.
last=$(awk '/^ +COUNT +LAST PID/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' top.out)
grep -qE '^ +3 +[0-9]+ +[0-9]+ /bin/echo one two three \.\.\.$' <<<"$last" || {
	cat top.out >&2; fail "no row for the three 'echo one two three ...'"; }
grep -qF '/bin/echo \x1b[31mred' <<<"$last" || { cat top.out >&2; fail "escaped row missing"; }
grep -qE '^ +1 +[0-9]+ +[0-9]+ /bin/true short$' <<<"$last" || {
	cat top.out >&2; fail "no row for '/bin/true short'"; }
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' top.out; then
	fail "a control byte reached the text table"
fi

# -x: failed execs count, and FAILS says how many of COUNT failed.
es_start x.out --top -i 0.5 -x
/nonexistent/prog 2>/dev/null || true
/nonexistent/prog 2>/dev/null || true
sleep 0.8
es_stop x.out
grep -qE '^ +COUNT +LAST PID +LAST PPID +FAILS +COMMAND$' x.out || {
	cat x.out >&2; fail "no FAILS column with -x"; }
grep -qE '^ +2 +[0-9]+ +[0-9]+ +2 /nonexistent/prog$' x.out || {
	cat x.out >&2; fail "no row for the failed /nonexistent/prog with FAILS 2"; }
assert_tracefs_unchanged
