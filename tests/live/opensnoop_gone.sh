#!/bin/bash
# opensnoop on this machine's kernel (tracepoint path) when the process is
# gone before its lines are printed (opensnoop is held with SIGSTOP while a
# short-lived command runs): COMM is the name exec gave it (its file name cut
# to 15 bytes, also with -n, which drops the fork that created it); with -F
# and --libc, relative paths are marked "[cwd unknown]" / "[dirfd N
# unknown]" (JSON: full_path null) and made absolute while the process
# lives; an open still blocked at the end is reported without a result.
. "$(dirname "$0")/lib.sh"

OS=$SNOOP_BIN/opensnoop
[ -x "$OS" ] || skip "no $OS (build first)"
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"
[ -e "$TRACEFS/events/sched/sched_process_exec" ] || skip "no sched_process_exec"
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events"
[ ! -e "$TRACEFS/kprobe_events" ] || skip "kprobes exist here: the VM tests cover that path"
command -v python3 >/dev/null || skip "needs python3"
# The interpreter itself (python3 may be a wrapper script), dynamically
# linked for --libc.
PYBIN=$(python3 -c 'import sys; print(sys.executable)')
[ -x "$PYBIN" ] || skip "no python3 binary"

snapshot_tracefs "$WORK/before"
cd "$WORK"
mkdir sub
echo hi >rel.txt
echo hi >"sub/in sub.txt"
mkfifo fifo
# The command: a name longer than the 15 bytes a comm holds.
PROG=$WORK/opensnoop-gone-test-program
NAME=opensnoop-gone-
ln -s "$PYBIN" "$PROG"
cat >gone.py <<'PY'
import json, os, sys, time
mode = sys.argv[1]
if mode == "fifo":
    open("ready", "w").close()
    os.open("fifo", os.O_RDONLY)  # blocks: no writer
    sys.exit(0)
d = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
ops = {"pid": os.getpid(), "dirfd": d, "cwd": os.getcwd()}
os.close(os.open("rel.txt", os.O_RDONLY))
os.close(os.open("in sub.txt", os.O_RDONLY, dir_fd=d))
os.close(os.open(os.path.join(ops["cwd"], "rel.txt"), os.O_RDONLY))
with open(mode + ".ops", "w") as f:
    json.dump(ops, f)
if mode == "linger":
    time.sleep(1)  # alive while opensnoop prints
PY

# run NAME MODE OPENSNOOP_ARGS...: opensnoop held while the command runs
# (MODE gone) or not (linger); output in NAME.out.
run() {
	local name=$1 mode=$2
	shift 2
	start_tool "$name" "$OS" "$@" -n "$NAME"
	wait_armed "$BG_PID"
	[ "$mode" = gone ] && kill -STOP "$BG_PID"
	"$PROG" -I gone.py "$mode" || fail "the command failed"
	[ "$mode" = gone ] && kill -CONT "$BG_PID"
	sleep 0.3
	stop_tool "$BG_PID"
	[ "$BG_STATUS" = 0 ] || fail "opensnoop exited $BG_STATUS: $(cat "$WORK/$name.err")"
}

# JSON: COMM of the exec'd command, full paths.
run gone gone -j -e -F --libc
cp gone.ops gone-j.ops
run linger linger -j -e -F --libc
assert_json_lines "$WORK/gone.out"
python3 - "$NAME" <<'PY' || { cat gone.out linger.out >&2; fail "records of the command are wrong"; }
import json, sys
name = sys.argv[1]
def recs(f, pid):
    return [r for r in map(json.loads, open(f)) if r.get("type") == "open" and r["pid"] == pid]
for run, source in (("gone", None), ("linger", "proc")):
    ops = json.load(open(("gone-j" if run == "gone" else run) + ".ops"))
    rs = recs(run + ".out", ops["pid"])
    assert len(rs) >= 4, f"{run}: only {len(rs)} records of the command"
    bad = [r for r in rs if r["comm"] != name]
    assert not bad, f"{run}: COMM is not {name!r}: {bad[:3]}"
    by = {r["path"]: r for r in rs if r["path_status"] == "ok"}
    cwd = ops["cwd"]
    want = {
        "rel.txt": (-100, cwd + "/rel.txt" if source else None, source),
        "in sub.txt": (ops["dirfd"], cwd + "/sub/in sub.txt" if source else None, source),
        cwd + "/rel.txt": (-100, cwd + "/rel.txt", "absolute"),
    }
    for p, (dfd, fp, src) in want.items():
        assert p in by, f"{run}: no record of {p!r} (paths: {list(by)})"
        r = by[p]
        got = (r["dfd"], r["full_path"], r["full_path_source"], r["fd"] >= 0)
        assert got == (dfd, fp, src, True), f"{run}: {p!r}: got {got}, expected {(dfd, fp, src, True)}"
    print(f"{run}: {len(rs)} records, COMM {name!r}, full paths as expected")
PY

# Text: the markings.
run text gone -F --libc
cp gone.ops text.ops
dirfd=$(python3 -c 'import json; print(json.load(open("text.ops"))["dirfd"])')
grep -qF "$NAME" text.out || fail "no COMM $NAME in the text output: $(cat text.out)"
awk 'NR > 1 && $3 == "?"' text.out | grep -q . && fail "a line with COMM '?': $(cat text.out)"
grep -qF 'rel.txt [cwd unknown]' text.out || fail "no '[cwd unknown]' mark: $(cat text.out)"
grep -qF "in sub.txt [dirfd $dirfd unknown]" text.out || fail "no '[dirfd $dirfd unknown]' mark: $(cat text.out)"
grep -qF " $WORK/rel.txt" text.out || fail "the absolute path is not printed as it is: $(cat text.out)"

# -n alone, no --libc: COMM of a process gone at print time.
run comm gone -j
python3 - "$NAME" <<'PY' || { cat comm.out >&2; fail "COMM of the gone command is wrong"; }
import json, sys
pid = json.load(open("gone.ops"))["pid"]
rs = [r for r in map(json.loads, open("comm.out")) if r.get("type") == "open" and r["pid"] == pid]
assert len(rs) >= 4, f"only {len(rs)} records"
assert all(r["comm"] == sys.argv[1] for r in rs), [r["comm"] for r in rs]
print(f"{len(rs)} records with COMM {sys.argv[1]!r}")
PY

# An open that has not returned when opensnoop stops: reported, no result.
start_tool fifo "$OS" -j -e -n "$NAME"
wait_armed "$BG_PID"
"$PROG" -I gone.py fifo &
FIFO_PID=$!
BG_PIDS+=("$FIFO_PID")
# Blocked = in the openat system call (its number first in /proc/PID/syscall)
# after the "ready" file.
case $(uname -m) in
x86_64) NR_OPENAT=257 ;;
aarch64) NR_OPENAT=56 ;;
*) NR_OPENAT= ;;
esac
for i in $(seq 1 200); do
	[ -e ready ] && [ "$(cut -d' ' -f1 "/proc/$FIFO_PID/syscall" 2>/dev/null)" = "$NR_OPENAT" ] && break
	sleep 0.05
done
[ -e ready ] && [ "$(cut -d' ' -f1 "/proc/$FIFO_PID/syscall" 2>/dev/null)" = "$NR_OPENAT" ] ||
	fail "the command is not blocked in openat: $(cat "/proc/$FIFO_PID/syscall" 2>&1)"
stop_tool "$BG_PID"
[ "$BG_STATUS" = 0 ] || fail "opensnoop exited $BG_STATUS: $(cat fifo.err)"
kill "$FIFO_PID"
wait "$FIFO_PID" 2>/dev/null || true
python3 - "$FIFO_PID" <<'PY' || { cat fifo.out >&2; fail "the blocked open is not reported"; }
import json, sys
pid = int(sys.argv[1])
rs = [r for r in map(json.loads, open("fifo.out")) if r.get("type") == "open" and r["pid"] == pid]
assert rs, "no records of the command"
last = rs[-1]
got = {k: last[k] for k in ("syscall", "ret", "fd", "errno", "flags_str")}
want = {"syscall": "openat", "ret": None, "fd": None, "errno": None, "flags_str": "O_RDONLY|O_CLOEXEC"}
assert got == want, f"got {got}, expected {want}"
assert all(r["ret"] is not None for r in rs[:-1]), "an earlier open has no result"
print(f"{len(rs)} records, the last one without a result")
PY

assert_no_leftovers_of "$BG_PID"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
