#!/bin/bash
# --top on a kprobe with stdout to a file: hits per value of a fetch arg
# (--by path, a user string: escaped in the table), per process (--by pid),
# exact counts for known calls, a table every interval and at the end.
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs

a=/tmp/kp_top_a_$$
b=$'/tmp/kp_top_\e[1mb'
touch "$a" "$b"
last_table() { awk '/^ +COUNT / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$1"; }

kp_start path.txt --top -i 0.5 --by path 'p:do_sys_openat2 path=+0(arg2):ustring' 'path ~ "/tmp/kp_top_*"'
kp_open "$a" 3 >/dev/null
kp_open "$b" 2 >/dev/null
sleep 1
kp_stop path.txt
cat path.txt
n=$(grep -cE '^ +COUNT +PROCS +PROBE +path$' path.txt || true)
((n >= 2)) || fail "expected a table every 0.5 s, got $n"
t=$(last_table path.txt)
grep -qE "^ +3 +1 do_sys_openat2 +$a\$" <<<"$t" || fail "expected $a: 3 hits by 1 process"
grep -qF "do_sys_openat2           /tmp/kp_top_\\x1b[1mb" <<<"$t" || fail "escaped path row missing"
grep -qE '^ +2 +1 do_sys_openat2 +/tmp/kp_top_\\x1b\[1mb$' <<<"$t" || fail "expected the escaped path: 2 hits"

kp_start pid.txt --top -i 0.5 --by pid 'p:do_sys_openat2 path=+0(arg2):ustring' 'path ~ "/tmp/kp_top_*"'
kp_open "$a" 4 >/dev/null &
p=$!
wait "$p"
sleep 1
kp_stop pid.txt
cat pid.txt
t=$(last_table pid.txt)
grep -qE "^ +4 +$p kp_open +do_sys_openat2\$" <<<"$t" || fail "expected kp_open $p: 4 hits"
rm -f "$a" "$b"
assert_tracefs_unchanged
