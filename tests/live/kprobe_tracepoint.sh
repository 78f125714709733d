#!/bin/bash
# kprobe's t: probes end to end on this machine's kernel: parsed fields in
# text and JSON, a filter on a string field, -c counting, -v, and tracefs
# left as it was found.
. "$(dirname "$0")/lib.sh"
KPROBE=$SNOOP_BIN/kprobe
[ -x "$KPROBE" ] || skip "no kprobe binary in $SNOOP_BIN"
[ -d "$TRACEFS/events/sched/sched_process_exec" ] || skip "no sched:sched_process_exec tracepoint"

snapshot_tracefs "$WORK/before"
prog=$WORK/kp_live_true
cp /bin/true "$prog"

# JSON, with the string field filtered in the kernel.
start_tool json "$KPROBE" -j 't:sched:sched_process_exec' "filename == \"$prog\""
"$prog"; "$prog"
sleep 0.3
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "kprobe -j exited $BG_STATUS: $(cat "$WORK/json.err")"
assert_json_lines "$WORK/json.out"
python3 - "$WORK/json.out" "$prog" <<'PY' || fail "JSON rows not as expected: $(cat "$WORK/json.out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
for r in rows:
    assert r["event"] == "sched_process_exec" and r["probe"] == "t:sched:sched_process_exec", r
    assert r["fields"]["filename"] == sys.argv[2], r
    # The exec event itself names the task (the task cache learns from
    # the user's own sched_process_exec): never a late /proc read.
    assert r["comm"] == "kp_live_true" and r["comm_source"] == "event", r
    assert isinstance(r["fields"]["pid"], int) and isinstance(r["pid"], int), r
PY

# Text, with -t and the header; -M stops after one hit.
"$KPROBE" -H -t -M 1 "t:sched:sched_process_exec if filename == \"$prog\"" >"$WORK/text.out" 2>"$WORK/text.err" &
pid=$!
BG_PIDS+=("$pid")
wait_armed "$pid"
"$prog"; "$prog"
wait "$pid" || fail "kprobe -M 1 exited $?: $(cat "$WORK/text.err")"
head -n1 "$WORK/text.out" | grep -q '^TIME(s) *COMM *PID CPU EVENT' || fail "no header: $(cat "$WORK/text.out")"
[ "$(wc -l <"$WORK/text.out")" = 2 ] || fail "-M 1 printed: $(cat "$WORK/text.out")"
grep -q "sched_process_exec .*filename=\"$prog\" pid=[0-9]* old_pid=[0-9]*" "$WORK/text.out" ||
	fail "text line not as expected: $(cat "$WORK/text.out")"

# -c: exactly 3 for 3 execs.
start_tool count "$KPROBE" -c 't:sched:sched_process_exec' "filename == \"$prog\""
"$prog"; "$prog"; "$prog"
sleep 0.3
stop_tool "$BG_PID"
grep -Eq '^sched_process_exec +3$' "$WORK/count.out" || fail "-c: $(cat "$WORK/count.out")"

# -v prints the format and exits, leaving nothing behind.
"$KPROBE" -v t:sched:sched_process_exec >"$WORK/fmt.out" || fail "-v failed"
grep -q 'field:__data_loc char\[\] filename' "$WORK/fmt.out" || fail "-v: $(cat "$WORK/fmt.out")"

# A filter naming no field: refused with exit 64 before anything is written.
set +e
"$KPROBE" t:sched:sched_process_exec 'nosuch == 1' 2>"$WORK/bad.err"
rc=$?
set -e
[ "$rc" = 64 ] || fail "bad filter: exit $rc"
grep -q 'invalid filter' "$WORK/bad.err" || fail "bad filter: $(cat "$WORK/bad.err")"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
