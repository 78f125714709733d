#!/usr/bin/env bash
# A 32-bit (ia32 compat) process on this x86_64 kernel: the syscall
# tracepoints skip its syscalls (ARCH_TRACE_IGNORE_COMPAT_SYSCALLS), so
# opensnoop's and killsnoop's tracepoint paths do not see its openat and
# kill, as their man pages say; execsnoop sees its exec through
# sched_process_exec, with the arguments read from /proc and marked
# (args_source "late"). The program is hand-encoded (tests/vm/reliability/
# compat32.py): no 32-bit toolchain needed. tracefs is left as it was.
. "$(dirname "$0")/lib.sh"

[ "$(uname -m)" = x86_64 ] || skip "ia32 compat is an x86_64 case (this is $(uname -m); the arm64 case: tests/vm/reliability/compat.sh)"
SRC=${SNOOP_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
marker=snoop-compat-$$
python3 "$SRC/tests/vm/reliability/compat32.py" i386 "$WORK/c32" "$WORK/opened-$marker" /bin/echo "$marker" ||
	fail "cannot write the 32-bit program"
: >"$WORK/opened-$marker"
out=$("$WORK/c32" 2>&1) || skip "this kernel does not run 32-bit programs (IA32_EMULATION off, or ia32_emulation=0): $out"
[ "$out" = "$marker" ] || fail "the 32-bit program printed '$out', not '$marker'"
snapshot_tracefs "$WORK/before"

start_tool e "$SNOOP_BIN/execsnoop" -j -v
start_tool o "$SNOOP_BIN/opensnoop" -j
start_tool k "$SNOOP_BIN/killsnoop" -j
"$WORK/c32" >"$WORK/c32.out"
# a 64-bit control: the same calls, seen by all three
python3 -c 'import os, sys; open(sys.argv[1]).close(); os.kill(os.getpid(), 0); os.execv("/bin/echo", ["/bin/echo", "x"])' \
	"$WORK/opened-$marker" >/dev/null
sleep 0.3
for p in "${BG_PIDS[@]}"; do
	stop_tool "$p" INT
	[ "$BG_STATUS" = 0 ] || fail "a tool exited $BG_STATUS: $(cat "$WORK"/*.err)"
done
for t in e o k; do assert_json_lines "$WORK/$t.out" >/dev/null; done

python3 - "$WORK" "$marker" <<'PY' || fail "unexpected (above); execsnoop's stderr: $(cat "$WORK/e.err")"
import json, sys
w, marker = sys.argv[1:]
load = lambda t: [json.loads(l) for l in open(f"{w}/{t}.out", encoding="utf-8", errors="surrogateescape")]
ex, op, ki = load("e"), load("o"), load("k")
c32 = [r for r in ex if r["filename"].endswith("/c32")]
assert len(c32) == 1, f"execsnoop: the 64-bit exec of c32: {c32}"
pid = c32[0]["pid"]
# its own exec of /bin/echo, a compat execve
echo = [r for r in ex if r["pid"] == pid and r["filename"] == "/bin/echo"]
assert len(echo) == 1, f"execsnoop: the 32-bit process's exec: {echo}"
e = echo[0]
assert e["filename_source"] == "sched", e
# argv from /proc: proven to be this exec's ("proc-checked": no later record
# of that PID came before the read), marked late, or unreadable (echo gone)
assert e["args_source"] in ("late", "proc-checked") or e["args_unreadable"], e
if e["args_source"] in ("late", "proc-checked"):
    assert e["argv"] == ["/bin/echo", marker], e
# opensnoop and killsnoop: the control is seen, the 32-bit calls are not
ctl_open = [r for r in op if r.get("comm") == "python3" and r.get("syscall") == "openat"]
ctl_kill = [r for r in ki if r.get("comm") == "python3" and r.get("signum") == 0]
assert ctl_open and ctl_kill, "the 64-bit control was not seen"
assert not [r for r in op if r.get("pid") == pid and r.get("comm") == "c32"], "opensnoop saw a 32-bit open: update opensnoop(8)"
assert not [r for r in ki if r.get("pid") == pid], "killsnoop saw a 32-bit kill: update killsnoop(8)"
print(f"execsnoop: the 32-bit exec shown ({e['args_source']}); opensnoop, killsnoop: not seen, as documented")
PY
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
