#!/bin/bash
# Guest-kernel benchmark of opensnoop's kprobe path (issue 21), as ratios
# within one boot: the openloop workload (open("/dev/null") + close in one
# thread) alone, under opensnoop (text to a file), and under a reference
# floor: perf-tools' opensnoop probe set (one kretprobe on getname fetching
# the kernel's copy of the name, +0(+0($retval)):string, and the
# syscalls:sys_exit_open* tracepoints) run through snoopkit's own kprobe
# tool, text to a file (and an opensnoop-before, when there is one: see
# below). Rounds interleave the configs, so a change of load
# on the (shared) host hits all of them alike. Each config runs twice: free
# on the guest's 2 vCPUs (the tool's reader on the other one), and pinned
# with the workload to one vCPU ("-1cpu": everything the tool costs, in
# the kernel and in its reader, comes out of the workload's time, and a
# loaded host slows one vCPU thread, not the pair unevenly).
# Run by bench/vm-run through the VM harness; output as `#` lines.
# vm-timeout: 600
set -euo pipefail
. "$SNOOP_TEST_DIR/lib.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
ROUNDS=${BENCH_ROUNDS:-7}
SECS=${BENCH_SECS:-2}
grep -qw getname /proc/kallsyms || skip "no getname in /proc/kallsyms: no reference probe"

ref=(-e 'r:getname +0(+0($retval)):string')
for sc in open creat openat openat2; do
	[[ -d $TRACEFS/events/syscalls/sys_exit_$sc ]] && ref+=(-e "t:syscalls:sys_exit_$sc")
done

# one CONFIG: the workload's rate, and the tool's lines and losses
one() {
	local c=$1 out=$PWD/$1.out err=$PWD/$1.err
	local -a tool=() pin=()
	case $c in *-1cpu) pin=(taskset -c 0) ;; esac
	case ${c%-1cpu} in
	alone) ;;
	opensnoop) tool=("$SNOOP_BIN/opensnoop") ;;
	before) tool=("$SNOOP_BIN/opensnoop-before") ;;
	reference) tool=("$SNOOP_BIN/kprobe" "${ref[@]}") ;;
	esac
	if ((${#tool[@]})); then
		bench_start "$c" "$out" "$err" "${pin[@]}" "${tool[@]}"
	fi
	"${pin[@]}" openloop "$SECS" >wl.out
	if ((${#tool[@]})); then
		stop_bg -t 60
	fi
	local rate lines=- lost=-
	rate=$(awk '{print $6}' wl.out)
	if ((${#tool[@]})); then
		# opensnoop: one line per open; the reference: a getname line
		# and an exit line per open
		case ${c%-1cpu} in
		opensnoop | before) lines=$(grep -c '/dev/null' "$out" || true) ;;
		reference) lines=$(grep -c 'sys_exit_openat' "$out" || true) ;;
		esac
		lost=$(bench_lost "$err")
	fi
	echo "$c $rate $lines $lost $(awk '{print $2}' wl.out)" >>results
}

configs=(alone opensnoop reference alone-1cpu opensnoop-1cpu reference-1cpu)
# An older opensnoop copied into the build's bin/ as opensnoop-before (e.g.
# main's, to see what a change did) gets its rows in the same rounds.
[[ -x $SNOOP_BIN/opensnoop-before ]] && configs+=(before before-1cpu)
bench_rounds "$ROUNDS" "${configs[@]}"
note "opens: kernel $(uname -r), $(nproc) CPU(s), $ROUNDS rounds of ${SECS}s; openloop = open(\"/dev/null\")+close in a loop"
note "reference: kprobe ${ref[*]}"
python3 -S -I - results "$SNOOP_TEST_DIR" <<'PY' | while IFS= read -r l; do note "$l"; done
import sys
sys.path.insert(0, sys.argv[2])
from results import load, med, median_round
rows = load(sys.argv[1])
# per round: the ratio to that round's alone run (interleaved rounds)
n = len(rows["alone"])
print("| config | rate vs alone (median) | per round | opens -> lines (median round) | lost (median round) |")
print("|---|---:|---|---|---:|")
for c in ("alone", "opensnoop", "reference", "before", "alone-1cpu", "opensnoop-1cpu", "reference-1cpu", "before-1cpu"):
    if c not in rows:
        continue
    base = "alone-1cpu" if c.endswith("-1cpu") else "alone"
    per = [rows[c][i][0] / rows[base][i][0] for i in range(n)]
    rep, lost = median_round(rows[c])
    print(f"| {c} | {med(per):.3f} | {' '.join(f'{p:.3f}' for p in per)} | {rep} | {lost} |")
for sfx in ("", "-1cpu"):
    wins = sum(rows["opensnoop" + sfx][i][0] > rows["reference" + sfx][i][0] for i in range(n))
    print(f"opensnoop{sfx} ahead of reference{sfx} in {wins} of {n} rounds")
PY
assert_no_snoop_leftovers
