#!/bin/bash
# The shared options that libsnoop applies for every tool, on this kernel:
#  -p PID follows the threads the process creates after the start and
#     leaves out the processes it forks (kprobe t:, opensnoop, execsnoop);
#  -M N stops after N events with status 0 (execsnoop, opensnoop, kprobe);
# and tracefs is left as it was found.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
# The interpreter itself, not a wrapper script (pyenv's shim forks).
PY=$(python3 -c 'import sys; print(sys.executable)')
[ -d "$TRACEFS/events/syscalls/sys_enter_getppid" ] || skip "no syscall tracepoints"
snapshot_tracefs "$WORK/before"

# The workload waits for $WORK/go, then: a new thread calls getppid 3 times
# and opens $WORK/thread; a forked child calls it 5 times and opens
# $WORK/child; the main thread 2 times, opens $WORK/main and execs
# /bin/true (so execsnoop -p sees the process itself exec, and not the
# child's exec of /bin/echo).
cat >"$WORK/w.py" <<'PY'
import os, sys, threading, time
work = sys.argv[1]
while not os.path.exists(work + "/go"):
    time.sleep(0.01)
def thread():
    for _ in range(3):
        os.getppid()
    os.close(os.open(work + "/thread", os.O_RDONLY | os.O_CREAT, 0o600))
    with open(work + "/tid", "w") as f:
        f.write(str(threading.get_native_id()))
t = threading.Thread(target=thread)
t.start()
t.join()
child = os.fork()
if child == 0:
    for _ in range(5):
        os.getppid()
    os.close(os.open(work + "/child", os.O_RDONLY | os.O_CREAT, 0o600))
    os.execv("/bin/echo", ["/bin/echo", "child-exec"])
os.waitpid(child, 0)
with open(work + "/childpid", "w") as f:
    f.write(str(child))
for _ in range(2):
    os.getppid()
os.close(os.open(work + "/main", os.O_RDONLY | os.O_CREAT, 0o600))
os.execv("/bin/true", ["/bin/true", "main-exec"])
PY

run_workload() { # TOOL ARGS... (the tool gets -p of the workload)
	local name=$1 w
	shift
	rm -f "$WORK/go"
	"$PY" "$WORK/w.py" "$WORK" >/dev/null &
	w=$!
	start_tool "$name" "$@" -p "$w"
	touch "$WORK/go"
	wait "$w" || fail "$name: the workload failed"
	sleep 0.5
	stop_tool "$BG_PID"
	[ "$BG_STATUS" = 0 ] || fail "$name exited $BG_STATUS: $(cat "$WORK/$name.err")"
	WPID=$w
}

# kprobe: the thread's 3 and the main thread's 2 calls, none of the child's 5.
run_workload kp "$SNOOP_BIN/kprobe" -j --verbose 't:syscalls:sys_enter_getppid'
python3 - "$WORK/kp.out" "$WPID" "$(cat "$WORK/tid")" "$(cat "$WORK/childpid")" <<'PY' ||
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
pid, tid, child = map(int, sys.argv[2:])
pids = [r["pid"] for r in rows]
assert pids.count(tid) == 3, f"the new thread {tid}: {pids.count(tid)} of 3 calls seen: {pids}"
assert pids.count(pid) == 2, f"the main thread {pid}: {pids.count(pid)} of 2 calls seen: {pids}"
assert child not in pids, f"the child process {child} was traced: {pids}"
assert len(rows) == 5, rows
PY
	fail "kprobe -p: $(cat "$WORK/kp.out")"
grep -q 'records of its child processes dropped' "$WORK/kp.err" || fail "kprobe -p --verbose: no drop count: $(cat "$WORK/kp.err")"

# opensnoop: the thread's and the main thread's opens, not the child's.
run_workload os "$SNOOP_BIN/opensnoop" -j
python3 - "$WORK/os.out" "$WORK" "$WPID" "$(cat "$WORK/tid")" <<'PY' ||
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"open"' in l]
work, pid, tid = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
tids = {r["tid"] for r in rows}
assert tid in tids, f"no open by the new thread {tid}: {sorted(tids)}"
assert all(r["pid"] in (pid, None) for r in rows), [r for r in rows if r["pid"] != pid]
paths = [r.get("path") for r in rows]
assert work + "/child" not in paths, "the child's open was reported"
PY
	fail "opensnoop -p: $(cat "$WORK/os.out")"

# execsnoop: the process's own exec of /bin/true, not the child's /bin/echo.
run_workload es "$SNOOP_BIN/execsnoop" -j
python3 - "$WORK/es.out" "$WPID" <<'PY' || fail "execsnoop -p: $(cat "$WORK/es.out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pid = int(sys.argv[2])
execs = [r for r in rows if r.get("type", "exec") == "exec"]
assert any(r["pid"] == pid and r["filename"] == "/bin/true" for r in execs), execs
assert not any(r.get("filename") == "/bin/echo" for r in execs), execs
PY

# -M N: N events, then the usual end (status 0, nothing left behind).
marker=$WORK/m
touch "$marker"
# Names nothing else on the box has: -M counts what matches, anyone's.
cp /bin/sleep "$WORK/msleep"
cp /bin/cat "$WORK/mcat"
for tool in execsnoop opensnoop kprobe; do
	case $tool in
	execsnoop) cmd=("$SNOOP_BIN/execsnoop" -M 2 -n msleep) ;;
	opensnoop) cmd=("$SNOOP_BIN/opensnoop" -M 2 -n mcat) ;;
	kprobe) cmd=("$SNOOP_BIN/kprobe" -M 2 't:sched:sched_process_exec' "filename == \"$WORK/msleep\"") ;;
	esac
	"${cmd[@]}" >"$WORK/M-$tool.out" 2>"$WORK/M-$tool.err" &
	pid=$!
	BG_PIDS+=("$pid")
	( wait_armed "$pid" ) || fail "$tool -M 2 did not arm: $(cat "$WORK/M-$tool.err")"
	for i in 1 2 3 4; do
		case $tool in
		execsnoop) "$WORK/msleep" 0.1 ;;
		opensnoop) "$WORK/mcat" "$marker" ;;
		kprobe) "$WORK/msleep" 0.1 ;;
		esac
		sleep 0.2
	done
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "$tool -M 2 still runs after 4 events: $(cat "$WORK/M-$tool.out")"
	fi
	st=0
	wait "$pid" || st=$?
	[ "$st" = 0 ] || fail "$tool -M 2: exit $st: $(cat "$WORK/M-$tool.err")"
	n=$(grep -vc -e '^PCOMM' -e '^PID' -e '^COMM' "$WORK/M-$tool.out" || true)
	[ "$n" = 2 ] || fail "$tool -M 2 printed $n lines: $(cat "$WORK/M-$tool.out")"
done

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok: -p follows new threads and leaves out child processes (kprobe, opensnoop, execsnoop); -M 2 in three tools"
