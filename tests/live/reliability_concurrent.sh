#!/usr/bin/env bash
# Issue 9, concurrency on this machine's kernel: execsnoop, opensnoop and
# kprobe (t: tracepoints), two of each, at once under a mixed workload.
# Three workers (bash under the names relwA, relwB, relwC) open their own
# file and exec their own marker (markA, markB, markC) in a loop; C is
# noise nobody asks for. Each pair is told apart by a different common
# filter: execsnoop -n '^markX$' (the new command name, in user space),
# opensnoop -p PID (set_event_pid, in the kernel), kprobe -n relwX (comm, in
# the kernel). Each session sees its own worker's events, none sees another
# worker's, all exit 0 and the tracefs state afterwards equals the state
# before (full snapshot). The kprobe/function-tracer counterpart runs in the
# guest kernels (tests/vm/reliability/concurrent.sh).
. "$(dirname "$0")/reliability_lib.bash"
have_tool execsnoop && have_tool opensnoop && have_tool kprobe || skip "execsnoop, opensnoop and kprobe are needed"
rel_before

W=()
for X in A B C; do
	ln -s /bin/bash "$WORK/relw$X"
	ln -s /usr/bin/true "$WORK/mark$X"
	echo "$X" >"$WORK/file$X"
	# `: <file` is opened by the worker itself (a builtin: no fork).
	"$WORK/relw$X" -c 'trap "exit 0" TERM
		while :; do : <"$1"; "$2" arg; sleep 0.02; done' _ "$WORK/file$X" "$WORK/mark$X" &
	W+=("$!")
	BG_PIDS+=("$!")
done
wA=${W[0]} wB=${W[1]}

sessions=()
run() { # NAME CMD...
	local n=$1
	shift
	start_tool "$n" "$@"
	eval "pid_$n=$BG_PID"
	sessions+=("$n")
}
for X in A B; do
	w=$wA; [ "$X" = B ] && w=$wB
	run "exec$X" "$SNOOP_BIN/execsnoop" -j -n "^mark$X\$"
	run "open$X" "$SNOOP_BIN/opensnoop" -j -p "$w"
	run "kp$X" "$SNOOP_BIN/kprobe" -j -n "relw$X" t:syscalls:sys_enter_openat
done
note "${#sessions[@]} sessions armed at once: ${sessions[*]}"

# Until every session has printed one of its own events (10 s at most).
for _ in $(seq 1 100); do
	all=1
	for n in "${sessions[@]}"; do
		[ -s "$WORK/$n.out" ] || { all=0; break; }
	done
	[ "$all" = 1 ] && break
	sleep 0.1
done
for n in "${sessions[@]}"; do
	eval "p=\$pid_$n"
	stop_tool "$p" INT
	[ "$BG_STATUS" = 0 ] || fail "$n: exit $BG_STATUS: $(cat "$WORK/$n.err")"
	assert_no_leftovers_of "$p"
done
for p in "${W[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done

python3 - "$WORK" "$wA" "$wB" "${W[2]}" <<'PY' || fail "a session saw another's events or not its own (above)"
import json, os, sys
work, wA, wB, wC = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pid = {"A": wA, "B": wB, "C": wC}
bad = []
for X, others in (("A", "BC"), ("B", "AC")):
    def rows(n):
        out = []
        for line in open(os.path.join(work, n + ".out"), encoding="utf-8"):
            r = json.loads(line)
            if r.get("type") not in (None, "open"):
                continue  # e.g. a loss record
            out.append(r)
        return out
    ex = rows("exec" + X)
    if not any(r["comm"] == "mark" + X and r["filename"].endswith("/mark" + X) for r in ex):
        bad.append(f"exec{X}: none of its own execs")
    bad += [f"exec{X} saw {r['comm']} ({r['filename']})" for r in ex if r["comm"] != "mark" + X]
    op = rows("open" + X)
    if not any(r["pid"] == pid[X] for r in op):
        bad.append(f"open{X}: none of relw{X}'s opens")
    bad += [f"open{X} saw pid {r['pid']} ({r['comm']})" for r in op if r["pid"] != pid[X]]
    kp = rows("kp" + X)
    if not any(r["comm"] == "relw" + X and r["pid"] == pid[X] for r in kp):
        bad.append(f"kp{X}: none of relw{X}'s openat calls")
    bad += [f"kp{X} saw {r['comm']} (pid {r['pid']})" for r in kp if r["comm"] != "relw" + X]
    print(f"{X}: execsnoop {len(ex)}, opensnoop {len(op)}, kprobe {len(kp)} records, "
          f"none of {', '.join('relw' + o for o in others)}")
for b in bad[:20]:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
rel_check "after ${#sessions[@]} concurrent sessions"
note "${#sessions[@]} concurrent sessions: each saw its own worker only, all clean"
