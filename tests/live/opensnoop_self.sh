#!/bin/bash
# opensnoop never reports its own opens. With -j it reads /proc/TID/status
# (the UID) of a task whose UID it does not know: here each cat, run by
# setpriv, which calls setresuid() first (so the UID inherited at fork is
# forgotten). Each cat that opens a file then makes opensnoop open one
# itself; those records reach it (no event filter, no
# set_event_notrace_pid: both cost the kernel, per record or at the end)
# and must be dropped by its handlers, and nothing else with them.
. "$(dirname "$0")/lib.sh"

OS=$SNOOP_BIN/opensnoop
[ -x "$OS" ] || skip "no $OS (build first)"
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"
command -v python3 >/dev/null || skip "needs python3"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"

snapshot_tracefs "$WORK/before"
cd "$WORK"
N=20

start_tool os "$OS" -j -v
OS_PID=$BG_PID
for _ in $(seq 1 "$N"); do
	setpriv --reuid=0 --regid=0 --keep-groups cat /etc/hostname >/dev/null
done
sleep 0.5
stop_tool "$OS_PID"
[ "$BG_STATUS" = 0 ] || fail "opensnoop exited $BG_STATUS: $(cat "$WORK/os.err")"
assert_json_lines "$WORK/os.out"

python3 - "$WORK/os.out" "$OS_PID" "$N" "$WORK/os.err" <<'PY' || fail "opensnoop's own opens in its output, or the workload's missing"
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
reads = re.search(r"UIDs read from /proc: (\d+)", open(sys.argv[4]).read())
opens = [r for r in recs if r.get("type") == "open"]
me, n = int(sys.argv[2]), int(sys.argv[3])
own = [r for r in opens if r["pid"] == me or r["tid"] == me]
cats = {r["pid"] for r in opens if r["comm"] == "cat"}
assert not own, f"{len(own)} records of opensnoop itself, e.g. {own[0]}"
# Every cat opens at least its libraries and /etc/hostname: opensnoop saw
# each one, so it opened /proc/TID/status for each (-j's uid; a failed open
# when the cat was gone already, uid null, is an open all the same).
assert len(cats) >= n, f"opens of {len(cats)} cat processes, {n} ran"
assert reads and int(reads.group(1)) >= n, f"opensnoop read /proc for a UID {reads and reads.group(1)} times, not once per cat"
print(f"{len(opens)} opens, {len(cats)} cat processes, {reads.group(1)} UID reads, none of opensnoop's")
PY
assert_no_leftovers_of "$OS_PID"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
