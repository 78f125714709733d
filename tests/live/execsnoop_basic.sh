#!/usr/bin/env bash
# execsnoop on this kernel: sees an exec with the right filename and PID, in
# text and JSON, prints the fallback notice once, and leaves tracefs as it was.
. "$(dirname "$0")/lib.sh"

snapshot_tracefs "$WORK/before"

# Text: a command run by the test, with its PID known from $!.
start_tool text "$SNOOP_BIN/execsnoop"
tool=$BG_PID
/bin/true & pid=$!; wait $pid
/bin/echo "arg one" 'two"' >/dev/null
sleep 0.5
stop_tool "$tool" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS after SIGINT"
grep -qE "^true +$pid +[0-9]+ +0 " "$WORK/text.out" || {
	cat "$WORK/text.out" >&2; fail "no line for /bin/true with PID $pid"; }
head -n 1 "$WORK/text.out" | grep -q '^PCOMM *PID *PPID *RET *ARGS' || fail "no header line"
# The notice says what is missing, once.
if [ ! -e "$TRACEFS/kprobe_events" ]; then
	[ "$(grep -c 'kprobe events are not available' "$WORK/text.err")" = 1 ] || {
		cat "$WORK/text.err" >&2; fail "fallback notice not printed exactly once"; }
fi
assert_no_leftovers_of "$tool"

# JSON: each line an object; the exec is there with filename and pid.
start_tool json "$SNOOP_BIN/execsnoop" -j
tool=$BG_PID
/bin/true & pid=$!; wait $pid
sleep 0.5
stop_tool "$tool" TERM
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS after SIGTERM"
assert_json_lines "$WORK/json.out"
python3 - "$WORK/json.out" "$pid" <<'PY' || fail "JSON record for /bin/true missing or wrong"
import json, sys
pid = int(sys.argv[2])
recs = [json.loads(l) for l in open(sys.argv[1])]
hit = [r for r in recs if r.get("pid") == pid]
assert hit, f"no record with pid {pid}"
r = hit[0]
assert r["filename"] == "/bin/true", r
assert r["comm"] == "true", r
assert r["ret"] == 0 and r["errno"] is None, r
assert isinstance(r["argv"], list) and isinstance(r["truncated"], bool), r
assert isinstance(r["time"], float) and r["ppid"] > 0, r
PY

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
