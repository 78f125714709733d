#!/bin/bash
# opensnoop --libc on this machine's kernel: on the tracepoint path, uprobes
# on the C library give the paths of a dynamically linked program (python3),
# each attached to the right syscall; tracefs is left as it was.
. "$(dirname "$0")/lib.sh"

OS=$SNOOP_BIN/opensnoop
[ -x "$OS" ] || skip "no $OS (build first)"
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events"
[ ! -e "$TRACEFS/kprobe_events" ] || skip "kprobes exist here: --libc is for kernels without them"
command -v python3 >/dev/null || skip "needs python3"

snapshot_tracefs "$WORK/before"
cd "$WORK"
mkdir d
echo hi >d/exists

# The workload: waits for ./go, then opens (main thread and one more), and
# reports what it did, one JSON line per open.
cat >opener.py <<'PY'
import json, os, sys, threading, time
open("ready", "w").close()
while not os.path.exists("go"):
    time.sleep(0.01)
out = []
def op(path, flags, mode=0o777):
    try:
        fd = os.open(path, flags, mode)
        err = 0
    except OSError as e:
        fd, err = -1, e.errno
    out.append({"path": path, "tid": threading.get_native_id(), "fd": fd, "errno": err,
                "flags": flags | os.O_CLOEXEC, "mode": mode if flags & os.O_CREAT else None})
op("d/exists", os.O_RDONLY)
op("d/missing", os.O_RDONLY)
op("d/new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
op("d/exists", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
t = threading.Thread(target=lambda: (op("d/exists", os.O_RDONLY | os.O_NOFOLLOW), op("d/nope/x", os.O_RDONLY)))
t.start(); t.join()
print(json.dumps({"pid": os.getpid(), "ops": out}))
sys.stdout.flush()
time.sleep(0.5)
PY
python3 opener.py >ops.json &
PY_PID=$!
BG_PIDS+=("$PY_PID")
# Start tracing once the interpreter has done its own opens.
for i in $(seq 1 200); do [ -e ready ] && break; sleep 0.05; done
[ -e ready ] || fail "workload did not start"

start_tool os "$OS" -j -e --libc -p "$PY_PID"
wait_armed "$BG_PID"
touch go
wait "$PY_PID" || fail "workload failed"
sleep 0.3
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "opensnoop exited $BG_STATUS: $(cat "$WORK/os.err")"
grep -q 'kprobe events are not available' "$WORK/os.err" ||
	[ -e "$TRACEFS/kprobe_events" ] || fail "no notice about the missing kprobes: $(cat "$WORK/os.err")"
assert_json_lines "$WORK/os.out"

python3 - "$WORK/ops.json" "$WORK/os.out" <<'PY' || { cat "$WORK/os.out" >&2; fail "records differ from the workload"; }
import json, sys
w = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
recs = [r for r in recs if r.get("type") == "open" and r["pid"] == w["pid"]]
# os.open() is openat; the interpreter opens nothing else once it runs our code.
assert len(recs) == len(w["ops"]), f"{len(recs)} records for {len(w['ops'])} opens"
for o, r in zip(w["ops"], recs):
    exp = {"path": o["path"], "path_status": "ok", "tid": o["tid"], "fd": o["fd"], "errno": o["errno"] or None,
           "flags": o["flags"], "mode": o["mode"], "syscall": "openat", "comm": "python3"}
    got = {k: r[k] for k in exp}
    assert got == exp, f"got {got}, expected {exp}"
    if o["errno"]:
        assert r["errno_name"] in ("ENOENT", "EEXIST"), r
print(f"{len(recs)} records match")
PY

# Text output: the fd and the errno names are in their columns.
grep -q . "$WORK/os.err" && note "stderr: $(head -c 300 "$WORK/os.err")"
assert_no_leftovers_of "$BG_PID"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
