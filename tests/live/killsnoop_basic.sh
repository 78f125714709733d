#!/usr/bin/env bash
# killsnoop against the kernel: every signal-sending syscall (kill, tkill,
# tgkill, pidfd_send_signal), succeeding and failing with ESRCH, EPERM and
# EINVAL, classic and real-time signals, checked three ways: the workload's
# own account of each call, strace -f as the witness of the same run, and
# JSON that parses and gives back the sender's raw comm. A sender that
# exits at once (sh -c 'kill -TERM $$') is named from the kernel's records.
# -x shows the failed calls only; -n and -p the chosen sender only. tracefs
# is left as it was.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip "strace not installed (scripts/deps.sh installs it)"
command -v cc >/dev/null || skip "no C compiler for the workload"
cc -O -Wall -o "$WORK/kw" "$(dirname "$0")/../vm/killsnoop/kill_prog.c" || fail "cannot build the workload"
snapshot_tracefs "$WORK/before"

start_tool j "$SNOOP_BIN/killsnoop" -j
strace -f -qq -e trace=kill,tkill,tgkill,pidfd_send_signal -o "$WORK/strace.txt" "$WORK/kw" >"$WORK/kw.out" ||
	fail "workload failed"
sh -c 'echo $$ >"$1"; kill -TERM $$' sh "$WORK/sh.pid" || true
# A sender whose name is hostile: an escape sequence, a newline, a non-UTF-8 byte.
python3 - <<'PY'
import ctypes, os
ctypes.CDLL(None).prctl(15, b"\x1b[31mk\n\xff", 0, 0, 0)
os.kill(os.getpid(), 0)
PY
sleep 0.3
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS: $(cat "$WORK/j.err")"
assert_json_lines "$WORK/j.out"

python3 - "$WORK" <<'PY' || fail "killsnoop disagrees with the workload or strace (above)"
import json, re, sys
w = sys.argv[1]
recs = [json.loads(l) for l in open(f"{w}/j.out", encoding="utf-8", errors="surrogateescape")]
# strace -f's child stops itself (kill(getpid(), SIGSTOP)) before it execs
# the workload, where strace cannot see it yet: the one call strace misses.
recs = [r for r in recs if not (r["comm"] == "strace" and r["signal"] == "SIGSTOP")]
def name(n):  # strace's spelling of a signal -> killsnoop's
    m = re.fullmatch(r"SIGRT_(\d+)", n)
    if m:
        n = int(m.group(1))
        return "SIGRTMAX" if n == 32 else f"SIGRTMIN+{n}"
    return None if re.fullmatch(r"[1-9]\d*", n) else n
errs = 0
def bad(msg):
    global errs
    errs += 1
    print("MISMATCH:", msg)

# strace: "PID call(args) = RET [ERRNO (text)]"
seen = []
for line in open(f"{w}/strace.txt"):
    m = re.match(r"(\d+)\s+(\w+)\((.*)\)\s+= (-?\d+)(?: (E\w+))?", line)
    if m:
        pid, sc, args, ret, err = m.groups()
        args = [a.strip() for a in args.split(",")]
        sig = args[1] if sc in ("kill", "tkill") else args[2] if sc == "tgkill" else args[1]
        target = {"kill": args[0], "tkill": args[0], "tgkill": f"{args[0]}/{args[1]}",
                  "pidfd_send_signal": f"pidfd:{args[0]}"}[sc]
        seen.append((int(pid), sc, name(sig), target, err))
pids = {s[0] for s in seen}
mine = [(r["tid"], r["syscall"], r["signal"], r["target"], r["errno"]) for r in recs if r["tid"] in pids]
if mine != seen:
    bad(f"strace saw\n  {seen}\nkillsnoop printed\n  {mine}")
print(f"{len(seen)} calls: killsnoop == strace")

# The workload's own account: syscall, signal number, result.
own = [l.split() for l in open(f"{w}/kw.out")]
ks = [(r["syscall"], r["signum"], r["ret"]) for r in recs if r["tid"] in pids]
want = [(sc, int(sig), 0 if int(ret) == 0 else -int(e)) for sc, sig, ret, e in own]
if ks != want:
    bad(f"workload says {want}\nkillsnoop says {ks}")
for r in recs:
    if r["tid"] in pids and (r["comm"] != "kw" or r["comm_source"] != "event" or r["pid"] != r["tid"]):
        bad(f"workload sender not named from the kernel's records: {r}")
need = {"ESRCH", "EPERM", "EINVAL", None}
if not need <= {r["errno"] for r in recs if r["tid"] in pids}:
    bad("not every result kind was seen")
if not {"SIGRTMIN", "SIGRTMIN+3", "SIGRTMAX"} <= {r["signal"] for r in recs}:
    bad("real-time signal names missing")

# The sender that exited at once.
shpid = int(open(f"{w}/sh.pid").read())
sh = [r for r in recs if r["tid"] == shpid]
if len(sh) != 1 or sh[0]["comm"] != "sh" or sh[0]["pid"] != shpid or sh[0]["signal"] != "SIGTERM" \
        or sh[0]["target"] != str(shpid) or sh[0]["ret"] != 0 \
        or sh[0]["comm_source"] != "event" or sh[0]["pid_source"] != "event":
    bad(f"sh -c 'kill -TERM $$' (PID {shpid}): {sh}")

# JSON round trip of the hostile comm.
raw = b"\x1b[31mk\n\xff"
if not any(r["comm"] is not None and r["comm"].encode("utf-8", "surrogateescape") == raw for r in recs):
    bad("the renamed sender's comm does not round-trip")
sys.exit(1 if errs else 0)
PY
note "JSON: matches strace and the workload; sh and hostile comm right"

# Text: the same hostile sender never reaches the terminal raw; -x: failures only.
start_tool t "$SNOOP_BIN/killsnoop" -x
"$WORK/kw" >/dev/null
python3 -c 'import ctypes, os; ctypes.CDLL(None).prctl(15, b"\x1b[31mk", 0, 0, 0); os.kill(999999999 % 4194304, 0)' 2>/dev/null || true
sleep 0.3
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "-x: exit status $BG_STATUS"
LC_ALL=C grep -q $'\x1b' "$WORK/t.out" && fail "an escape byte reached the text output"
grep -q '\\x1b\[31mk' "$WORK/t.out" || fail "the hostile comm is not shown escaped: $(cat "$WORK/t.out")"
tail -n +2 "$WORK/t.out" | awk '$NF !~ /^E[A-Z]+$/ { bad = 1; print "not a failure:", $0 } END { exit bad }' >&2 ||
	fail "-x printed a call that did not fail"
[ "$(grep -c ' kw ' "$WORK/t.out")" = 9 ] || fail "-x: expected the workload's 9 failures: $(cat "$WORK/t.out")"
note "-x: the 9 failures only, comm escaped"

# -n (exact sender comm) and -p (sender process), both in the kernel.
start_tool n "$SNOOP_BIN/killsnoop" -n kw
"$WORK/kw" >/dev/null
kill -0 $$
sleep 0.3
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "-n: exit status $BG_STATUS"
[ "$(tail -n +2 "$WORK/n.out" | grep -c ' kw ')" = 16 ] && [ "$(tail -n +2 "$WORK/n.out" | grep -vc ' kw ')" = 0 ] ||
	fail "-n kw: expected the workload's 16 calls only: $(cat "$WORK/n.out")"
bash -c 'sleep 0.6; kill -0 $$; kill -0 $$' &
w=$!
BG_PIDS+=("$w")
start_tool p "$SNOOP_BIN/killsnoop" -p "$w" -j
"$WORK/kw" >/dev/null
wait "$w"
sleep 0.3
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "-p: exit status $BG_STATUS"
[ "$(grep -c "\"pid\":$w,.*\"target\":\"$w\"" "$WORK/p.out")" = 2 ] && [ "$(wc -l <"$WORK/p.out")" = 2 ] ||
	fail "-p $w: expected its 2 calls only: $(cat "$WORK/p.out")"
note "-n and -p: the chosen sender only"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
