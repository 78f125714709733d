#!/bin/bash
# -s shows a symbolised kernel stack containing the syscall entry; -r
# prints the kernel's text; -M stops after N hits.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs
target=/tmp/kp_stack_$$
touch "$target"

kp_start stack.txt -s -n kp_open 'p:do_sys_openat2 path=+0(arg2):ustring'
kp_open "$target" 1 >/dev/null
kp_stop stack.txt
cat stack.txt
# The syscall entry: x86_64's, or arm64's (el0_svc -> invoke_syscall).
syscall_entry='do_syscall_64|entry_SYSCALL_64|__x64_sys_openat|invoke_syscall|el0_svc|__arm64_sys_openat'
grep -A30 "path=\"$target\"" stack.txt | grep -Eq "=> ($syscall_entry)" ||
	fail "no syscall entry in the stack"
kp_start stack.json -s -j -n kp_open 'p:do_sys_openat2 path=+0(arg2):ustring'
kp_open "$target" 1 >/dev/null
kp_stop stack.json
json_check stack.json 'any(any(("do_syscall_64" in f or "invoke_syscall" in f) for f in r.get("stack", [])) for r in rows)'

kp_start raw.txt -r -n kp_open "p:do_sys_openat2 dfd=$(kreg 1):s32 path=+0($(kreg 2)):ustring"
kp_open "$target" 1 >/dev/null
kp_stop raw.txt
cat raw.txt
grep -Eq "kp_open-[0-9]+ +\[[0-9]{3}\] [0-9.]+: do_sys_openat2: .*dfd=-100 path=\"$target\"\$" raw.txt ||
	fail "-r line not as expected"

"$KPROBE" -M 2 -n kp_open 'p:do_sys_openat2' >max.txt 2>max.err &
pid=$!
for ((i = 0; i < 300; i++)); do
	kp_armed "$pid" && break
	sleep 0.1
done
kp_open "$target" 5 >/dev/null
for ((i = 0; i < 100; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	kill -INT "$pid"
	sleep 1
	echo "--- stdout"; cat max.txt; echo "--- stderr"; cat max.err
	fail "-M 2 did not stop by itself"
fi
wait "$pid" || fail "-M 2: exit status $?"
[[ $(wc -l <max.txt) == 2 ]] || fail "-M 2 printed $(wc -l <max.txt) lines"
assert_tracefs_unchanged
