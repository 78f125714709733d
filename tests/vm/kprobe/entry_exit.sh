#!/bin/bash
# p: with the path as a string (kernel syntax and argN), r: with retval
# equal to the fd the workload got, in one session (two -e probes).
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs

target=/tmp/kp_entry_$$
touch "$target"
kp_start out.json -j -n kp_open \
	-e "p:do_sys_openat2 dfd=arg1:s32 path=+0($(kreg 2)):ustring path2=arg2:ustring" \
	-e 'r:do_sys_openat2 fd=retval:s64'
kp_open "$target" 1 >fds
kp_stop out.json
fd=$(head -n1 fds)
note "kp_open got fd $fd"
json_check out.json - <<PY
path = "$target"
fd = $fd
ent = [r for r in rows if r["event"] == "do_sys_openat2" and r["fields"]["path"] == path]
assert ent, "no entry hit with the path"
e = ent[0]
assert e["comm"] == "kp_open" and e["fields"]["dfd"] == -100, e
assert e["fields"]["path2"] == path, e
assert isinstance(e["pid"], int) and isinstance(e["cpu"], int), e
ret = [r for r in rows if r["event"] == "do_sys_openat2_ret" and r["pid"] == e["pid"]]
assert any(r["fields"]["fd"] == fd for r in ret), ret
PY
assert_tracefs_unchanged
