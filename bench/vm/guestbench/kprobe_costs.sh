#!/bin/bash
# What each piece of kprobe -c's hist path costs the kcall loop (issue 17),
# taken apart with tracefs writes alone (no tool), 3 rounds interleaved:
#   floor        the probe enabled in an instance nobody reads (a record per hit)
#   floor-comm   the same probe with kprobe's old hidden fetch arg __comm=$comm
#   hist         no record enabled, a hist trigger keys=common_type:vals=hitcount
#   hist-filter  the same with kprobe's trigger filter "common_pid != PID"
#   hist-comm-filter  both: what kprobe -c wrote before this change
#   hist-pid     keys=common_pid instead of common_type
#   noop-trigger a trigger that needs no record (traceoff:0, which never
#                fires): the kprobe hit itself, and kprobe_profile's hit
#                counter, with nothing built
#   kprobe-c, kprobe-c-hist, kprobe-c-user: the tool, on its hit-counter
#                (kprobe_profile), hist (--exclude-self) and record paths
# "cost" is the time per op relative to the loop alone (1.00): meaningful as
# instructions with bench/vm-run --icount, noisy without.
# vm-timeout: 600
set -euo pipefail
. /snoopvm/lib.sh
require_file "$TRACEFS/kprobe_events" "no kprobe events"
[[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]] || skip "no hist triggers"
FUNC=__do_sys_getppid
grep -qx "$FUNC" "$TRACEFS/available_filter_functions" || skip "no $FUNC on $(uname -m)"
ROUNDS=3
G=bench_cost_$$
I=$TRACEFS/instances/bench_cost_$$
E=$I/events/$G/getppid
on() {
	mkdir "$I"
	case $1 in
	*comm*) echo "p:$G/getppid $FUNC __comm=\$comm" >>"$TRACEFS/dynamic_events" ;;
	*) echo "p:$G/getppid $FUNC" >>"$TRACEFS/dynamic_events" ;;
	esac
	case $1 in
	floor | floor-comm) echo 1 >"$E/enable" ;;
	hist) echo 'hist:keys=common_type:vals=hitcount' >>"$E/trigger" ;;
	hist-filter | hist-comm-filter) echo "hist:keys=common_type:vals=hitcount if common_pid != 1" >>"$E/trigger" ;;
	hist-pid) echo 'hist:keys=common_pid:vals=hitcount' >>"$E/trigger" ;;
	noop-trigger) echo 'traceoff:0' >>"$E/trigger" ;;
	esac
}
off() {
	{ grep -v '^#' "$E/trigger" || true; } | sed 's/ \[active\]//' | while read -r t; do echo "!$t" >>"$E/trigger"; done
	echo 0 >"$I/events/enable"
	rmdir "$I"
	echo "-:$G/getppid" >>"$TRACEFS/dynamic_events"
}
one() {
	local c=$1 d i
	case $c in
	alone) ;;
	kprobe-c*)
		if [[ $c == kprobe-c ]]; then
			start_bg "$SNOOP_BIN/kprobe" -c "p:$FUNC" >tool.out 2>tool.err
		elif [[ $c == kprobe-c-hist ]]; then
			start_bg "$SNOOP_BIN/kprobe" -c --exclude-self "p:$FUNC" >tool.out 2>tool.err
		else
			start_bg "$SNOOP_BIN/kprobe" -c --user-count "p:$FUNC" >tool.out 2>tool.err
		fi
		for ((i = 0; i < 600; i++)); do
			d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID" 2>/dev/null || true)
			[[ -n $d ]] && snoop_armed "$d" && break
			sleep 0.05
		done ;;
	*) on "$c" ;;
	esac
	kcall 1 >wl.out
	case $c in
	alone) ;;
	kprobe-c*)
		stop_bg -t 60
		n=$(awk '$NF ~ /^[0-9]+$/ && NF >= 2 {n += $NF} END {print n + 0}' tool.out)
		[[ $n == "$(awk '{print $2}' wl.out)" ]] || note "$c counted $n of $(awk '{print $2}' wl.out)" ;;
	*) off ;;
	esac
	echo "$c $(awk '{print $6}' wl.out)" >>costs
}
configs=(alone floor floor-comm hist hist-filter hist-comm-filter hist-pid noop-trigger kprobe-c kprobe-c-hist kprobe-c-user)
: >costs
for ((r = 1; r <= ROUNDS; r++)); do
	for c in "${configs[@]}"; do one "$c"; done
done
note "kprobe -c, piece by piece: kernel $(uname -r), $ROUNDS rounds of 1 s, medians"
python3 -S -I - costs <<'PY' | while IFS= read -r l; do note "$l"; done
import sys
rows = {}
for line in open(sys.argv[1]):
    c, rate = line.split()
    rows.setdefault(c, []).append(float(rate))
med = lambda xs: sorted(xs)[len(xs) // 2]
a, f = med(rows["alone"]), med(rows["floor"])
print("| config | rate vs alone | vs floor | cost per op (alone = 1.00) | rounds vs alone |")
print("|---|---:|---:|---:|---|")
for c in rows:
    m = med(rows[c])
    print(f"| {c} | {m / a:.3f} | {m / f:.3f} | {a / m:.2f} | {' '.join(f'{x / a:.3f}' for x in rows[c])} |")
PY
assert_no_snoop_leftovers
