#!/bin/bash
# kprobe --hist, --latency and -c --by where the kernel has no hist triggers
# (this machine): the user-space path makes the same buckets the kernel
# would (reads of 1, 100, 10000 bytes; sleeps of 40 and 80 ms), --verbose
# says which path ran, and the refusals are one clear line with exit 64.
. "$(dirname "$0")/lib.sh"
KPROBE=$SNOOP_BIN/kprobe
[ -x "$KPROBE" ] || skip "no kprobe binary in $SNOOP_BIN"
[ -d "$TRACEFS/events/syscalls/sys_enter_read" ] || skip "no syscalls:sys_enter_read tracepoint"
[ -e "$TRACEFS/events/syscalls/sys_enter_read/hist" ] && skip "this kernel has hist triggers: the VM tests cover that path"

snapshot_tracefs "$WORK/before"
dd=$WORK/kp_dd
cp "$(command -v dd)" "$dd"
reads() {
	"$dd" bs=1 count=5 of=/dev/null </dev/zero 2>/dev/null
	"$dd" bs=100 count=7 of=/dev/null </dev/zero 2>/dev/null
	"$dd" bs=10000 count=9 of=/dev/null </dev/zero 2>/dev/null
}
filter='comm == "kp_dd" && fd == 0'

start_tool log2 "$KPROBE" --verbose -j --hist count 't:syscalls:sys_enter_read' "$filter"
reads
sleep 0.3
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "--hist exited $BG_STATUS: $(cat "$WORK/log2.err")"
grep -q 'histogram in user space' "$WORK/log2.err" || fail "--verbose does not say user space: $(cat "$WORK/log2.err")"
assert_json_lines "$WORK/log2.out"
python3 - "$WORK/log2.out" <<'PY' || fail "buckets not as expected: $(cat "$WORK/log2.out")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
want = {e: 0 for e in range(15)}
want.update({0: 5, 7: 7, 14: 9})
assert r["final"] and r["field"] == "count" and dict(zip(r["log2"], r["count"])) == want, r
PY

start_tool lin "$KPROBE" --hist count --linear 0,200,50 't:syscalls:sys_enter_read' "$filter"
reads
sleep 0.3
stop_tool "$BG_PID"
cat "$WORK/lin.out"
grep -Eq '^\[0, 49\] +5 \|@+ *\|$' "$WORK/lin.out" || fail "--linear: no [0, 49] row of 5"
grep -Eq '^\[50, 99\] +0 \| +\|$' "$WORK/lin.out" || fail "--linear: no empty [50, 99] row"
grep -Eq '^>= 200 +9 ' "$WORK/lin.out" || fail "--linear: no '>= 200' row of 9"

# -c --by pid (a tracepoint has no comm of its own: a task gone before its
# records are read shows as "?" --by comm, so pids are what can be checked).
start_tool bypid "$KPROBE" --verbose -c --by pid 't:syscalls:sys_enter_read' "$filter"
"$dd" bs=1 count=5 of=/dev/null </dev/zero 2>/dev/null & p1=$!
wait $p1
"$dd" bs=100 count=16 of=/dev/null </dev/zero 2>/dev/null & p2=$!
wait $p2
sleep 0.3
stop_tool "$BG_PID"
grep -Eq "^sys_enter_read +$p1 +5\$" "$WORK/bypid.out" || fail "-c --by pid: $(cat "$WORK/bypid.out")"
grep -Eq "^sys_enter_read +$p2 +16\$" "$WORK/bypid.out" || fail "-c --by pid: $(cat "$WORK/bypid.out")"
grep -q 'counting in user space' "$WORK/bypid.err" || fail "-c --verbose does not say user space"

# --latency pairs entry and exit in user space: sleeps of 40 and 80 ms land
# in (32768, 65536] and (65536, 131072] microseconds (a sleep never ends
# early; the margins leave room for a late wake-up on a busy machine).
sl=$WORK/kp_sleep
cp "$(command -v sleep)" "$sl"
start_tool lat "$KPROBE" --verbose -j --latency t:syscalls:sys_enter_clock_nanosleep 'comm == "kp_sleep"'
"$sl" 0.04; "$sl" 0.04; "$sl" 0.08
sleep 0.3
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "--latency exited $BG_STATUS: $(cat "$WORK/lat.err")"
grep -q 'histogram in user space' "$WORK/lat.err" || fail "--latency --verbose does not say user space"
python3 - "$WORK/lat.out" <<'PY' || fail "latency buckets not as expected: $(cat "$WORK/lat.out")"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
assert r["field"] == "latency_us" and dict(zip(r["log2"], r["count"])) == {16: 2, 17: 1}, r
PY

refuse() { # REGEX ARGS...
	local re=$1 rc=0
	shift
	"$KPROBE" "$@" >"$WORK/bad.out" 2>"$WORK/bad.err" || rc=$?
	[ "$rc" = 64 ] || fail "kprobe $*: exit $rc, expected 64"
	[ "$(wc -l <"$WORK/bad.err")" -le 2 ] || fail "kprobe $*: more than one line: $(cat "$WORK/bad.err")"
	grep -Eq -- "$re" "$WORK/bad.err" || fail "kprobe $*: $(cat "$WORK/bad.err")"
}
refuse 'is a pointer, not a number' --hist buf -d 1 't:syscalls:sys_enter_read'
refuse 'has no field nope' --hist nope -d 1 't:syscalls:sys_enter_read'
refuse 'invalid --linear' --hist count --linear 5,10,3 't:syscalls:sys_enter_read'
refuse 'goes with --hist' --linear 0,10,1 't:syscalls:sys_enter_read'
refuse 'cannot be combined' --hist count -c 't:syscalls:sys_enter_read'
refuse 'invalid --latency' --latency 't:sched:sched_switch'
refuse 'gives the probes itself' --latency t:syscalls:sys_enter_read -e 't:syscalls:sys_enter_read'
# Stack counts are made in the kernel only: a clear refusal here (69).
rc=0
"$KPROBE" -c -s -d 1 't:syscalls:sys_enter_read' >"$WORK/st.out" 2>"$WORK/st.err" || rc=$?
[ "$rc" = 69 ] || fail "-c -s without hist triggers: exit $rc, expected 69: $(cat "$WORK/st.err")"
grep -q 'need hist triggers' "$WORK/st.err" || fail "-c -s: $(cat "$WORK/st.err")"
[ "$(wc -l <"$WORK/st.err")" = 1 ] || fail "-c -s: more than one line: $(cat "$WORK/st.err")"
refuse 'goes with -c -s' --folded 't:syscalls:sys_enter_read'

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
