#!/bin/bash
# A filter that keeps one process's hits (comm, in the kernel), a path
# filter, and -c counting exactly N known calls.
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs

target=/tmp/kp_filter_$$
touch "$target"
cp "$(command -v kp_open)" /tmp/kp_other

# Only kp_open's opens, although kp_other opens the same file.
kp_start one.txt 'p:do_sys_openat2 path=+0(arg2):ustring' 'comm == "kp_open"'
/tmp/kp_other "$target" 3 >/dev/null
kp_open "$target" 2 >/dev/null
/tmp/kp_other "$target" 3 >/dev/null
kp_stop one.txt
cat one.txt
n=$(grep -c "path=\"$target\"" one.txt || true)
[[ $n == 2 ]] || fail "expected 2 hits of kp_open, got $n"
! grep -q '^kp_other' one.txt || fail "kp_other's hits passed the filter"

# A string filter with a glob, written in the definition.
kp_start glob.txt -e "p:do_sys_openat2 path=+0(arg2):ustring if path ~ \"/tmp/kp_filter_*\""
/tmp/kp_other "$target" 1 >/dev/null
cat /etc/hostname >/dev/null 2>&1 || true
kp_stop glob.txt
cat glob.txt
grep -q "^kp_other .*path=\"$target\"" glob.txt || fail "glob filter: hit missing"
! grep -v "path=\"$target\"" glob.txt | grep -q . || fail "glob filter let other paths through"

# -c: exactly 7 for 7 opens of the file.
kp_start count.txt -c 'p:do_sys_openat2 path=+0(arg2):ustring' "path == \"$target\""
kp_open "$target" 7 >/dev/null
kp_stop count.txt
cat count.txt
grep -Eq '^do_sys_openat2 +7$' count.txt || fail "-c did not count 7"
kp_start countby.json -c --by comm -j 'p:do_sys_openat2 path=+0(arg2):ustring' "path == \"$target\""
kp_open "$target" 4 >/dev/null
/tmp/kp_other "$target" 5 >/dev/null
kp_stop countby.json
json_check countby.json 'sorted((r["comm"], r["count"]) for r in rows) == [("kp_open", 4), ("kp_other", 5)]'
assert_tracefs_unchanged
