#!/bin/bash
# User-space probes on the Debian kernels: u: with an int and a string
# argument (argN made into registers: uprobes have no $argN), ur: with the
# return value, a C library function by name, -p to one process.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/uprobe_events" "no uprobe events"
[[ -x $SNOOP_BIN/uprobe_target ]] || skip "no uprobe_target in the build (tests/live/CMakeLists.txt)"
snapshot_tracefs

cp "$SNOOP_BIN/uprobe_target" ./target
./target go 4 >mine.txt &
mine=$!
./target go 4 >other.txt &
kp_start out.json -j -p "$mine" -e "u:$PWD/target:greet n=arg1:s32 s=arg2:ustring" \
	-e 'ur:./target:greet ret=retval:s32' -e 'u:libc:getpid'
touch go
wait
kp_stop out.json
json_check out.json - <<PY
truth = [l.split() for l in open("mine.txt") if l.strip()]
assert all(r["pid"] == $mine for r in rows), [r["pid"] for r in rows]
ent = [r for r in rows if r["event"] == "greet"]
ret = [r for r in rows if r["event"] == "greet_ret"]
gp = [r for r in rows if r["event"] == "getpid"]
assert len(ent) == len(ret) == len(truth) == 4, (len(ent), len(ret), len(truth))
for t, e, r in zip(truth, ent, ret):
    assert e["fields"]["n"] == int(t[0]) and e["fields"]["s"] == t[1], (t, e)
    assert r["fields"]["ret"] == int(t[2]), (t, r)
assert len(gp) >= 4, len(gp)
PY
assert_tracefs_unchanged
