#!/bin/bash
# kprobe's user-space probes on this machine's kernel: u: on a test
# program's function with an int and a string argument, ur: with its return
# value, a C library function by name, -p scoping, perf-tools' p:/PATH:SYM,
# -l, refusals (exit 64, one line), and nothing left in uprobe_events after
# SIGINT, kill -9 (the reaper) and kill -9 of tool and reaper (the sweep).
. "$(dirname "$0")/lib.sh"

KPROBE=$SNOOP_BIN/kprobe
TARGET=$SNOOP_BIN/uprobe_target
[ -x "$KPROBE" ] || skip "no kprobe binary in $SNOOP_BIN"
[ -x "$TARGET" ] || skip "no uprobe_target in $SNOOP_BIN (tests/live/CMakeLists.txt builds it)"
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events (CONFIG_UPROBE_EVENTS)"
command -v python3 >/dev/null || skip "needs python3"

snapshot_tracefs "$WORK/before"
cd "$WORK"
# A copy of the program of our own: no other test's probes fire in it.
cp "$TARGET" ./target
N=5

# 1. -l: the program's function, and the C library's by name and glob.
"$KPROBE" -l ./target >list.out || fail "-l ./target failed"
grep -qx greet list.out || fail "-l ./target has no greet: $(head -c 300 list.out)"
"$KPROBE" -l libc 'getpi*' >libc.out || fail "-l libc failed"
grep -qx getpid libc.out || fail "-l libc 'getpi*': $(cat libc.out)"
! grep -qvx 'getpi.*' libc.out || fail "-l libc 'getpi*' lists more than the glob: $(cat libc.out)"

# 2. u:, ur: and a libc symbol by name, -p on one of two identical
# processes: only its calls, each with the arguments it passed and the
# value greet() returned.
./target go1 $N >mine.txt &
MINE=$!
BG_PIDS+=("$MINE")
./target go1 $N >other.txt &
OTHER=$!
BG_PIDS+=("$OTHER")
start_tool u "$KPROBE" -j -p "$MINE" -e "u:$WORK/target:greet n=arg1:s32 s=arg2:ustring" \
	-e "ur:./target:greet ret=retval:s32" -e 'u:libc:getpid'
touch go1
wait "$MINE" || fail "target failed"
wait "$OTHER" || fail "second target failed"
sleep 0.3
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "kprobe u: exited $BG_STATUS: $(cat u.err)"
assert_json_lines u.out
python3 - mine.txt u.out "$MINE" "$OTHER" <<'PY' || { head -c 2000 u.out >&2; fail "u:/ur: records differ from what the program did"; }
import json, sys
truth = [l.split() for l in open(sys.argv[1]) if l.strip()]
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
mine, other = int(sys.argv[3]), int(sys.argv[4])
assert all(r["pid"] == mine for r in recs), [r["pid"] for r in recs if r["pid"] != mine][:3]
ent = [r for r in recs if r["event"] == "greet"]
ret = [r for r in recs if r["event"] == "greet_ret"]
pid = [r for r in recs if r["event"] == "getpid"]
assert len(ent) == len(truth) == len(ret), (len(ent), len(ret), len(truth))
for t, e, r in zip(truth, ent, ret):
    assert e["fields"]["n"] == int(t[0]) and e["fields"]["s"] == t[1], (t, e)
    assert r["fields"]["ret"] == int(t[2]), (t, r)
assert len(pid) >= len(truth), f"{len(pid)} getpid hits for {len(truth)} calls"
print(f"{len(ent)} calls, {len(ret)} returns, {len(pid)} getpid, all of PID {mine}")
PY

# 3. perf-tools' spelling, with -v: the definition the kernel got, then exit.
"$KPROBE" -v "p:$WORK/target:greet" >fmt.out 2>fmt.err || fail "-v p:PATH:SYM failed: $(cat fmt.err)"
grep -Eq "^# definition: p:snoop_[^ ]*/greet $WORK/target:0x[0-9a-f]+ " fmt.out ||
	fail "-v p:PATH:SYM: $(head -3 fmt.out)"

# 4. Refusals: one line, exit 64, nothing written.
refused() {
	local what=$1 msg=$2 rc; shift 2
	set +e
	"$KPROBE" "$@" >/dev/null 2>bad.err
	rc=$?
	set -e
	[ "$rc" = 64 ] || fail "$what: exit $rc, not 64: $(cat bad.err)"
	[ "$(wc -l <bad.err)" = 1 ] || fail "$what: not one line: $(cat bad.err)"
	grep -q "$msg" bad.err || fail "$what: $(cat bad.err)"
}
refused "bad symbol" "no function 'no_such_fn'" 'u:./target:no_such_fn'
refused "bad binary" "no such binary 'nosuchbinary'" 'u:nosuchbinary:main'
refused "not ELF" "not a 64-bit ELF file" 'u:/etc/hostname:main'
refused "-l bad binary" "no such binary" -l ./nosuch
set +e
"$KPROBE" 'u:./target:greet foo' >/dev/null 2>bad.err
rc=$?
set -e
[ "$rc" = 64 ] && grep -q "no BTF names" bad.err || fail "BTF name on a uprobe: exit $rc: $(cat bad.err)"

# 5. SIGINT leaves nothing (the snapshot at the end); kill -9 of the tool:
# its reaper removes the uprobe; kill -9 of tool and reaper: the next start
# sweeps it.
start_tool k1 "$KPROBE" 'u:libc:getpid'
pid=$BG_PID
reaper=$(reaper_of "$pid") || fail "kprobe $pid has no snoop-reaper"
grep -q "snoop_.*_$pid/getpid" "$TRACEFS/uprobe_events" || fail "no uprobe of $pid in uprobe_events"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
ms=$(wait_session_gone "$pid" 2000)
note "kill -9: the reaper removed the uprobe in $ms ms"
start_tool k2 "$KPROBE" 'u:libc:getpid'
pid=$BG_PID
reaper=$(reaper_of "$pid") || fail "kprobe $pid has no snoop-reaper"
kill -9 "$reaper" "$pid"; wait "$pid" 2>/dev/null || true
grep -q "_$pid/getpid" "$TRACEFS/uprobe_events" || fail "kill -9 of both left no uprobe: the test cannot see the sweep"
"$KPROBE" -d 0.2 'u:libc:getpid' >/dev/null 2>sweep.err || fail "next start failed: $(cat sweep.err)"
assert_no_leftovers_of "$pid"
! grep -q "_$pid/" "$TRACEFS/uprobe_events" || fail "uprobe of $pid still in uprobe_events after the sweep"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
