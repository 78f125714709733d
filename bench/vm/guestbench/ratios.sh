#!/bin/bash
# Guest-kernel benchmark (issue 10): kprobe's p: and functrace, which the
# host cannot run, measured inside a Debian kernel under qemu (TCG). An
# emulated CPU makes absolute rates meaningless, so only ratios are shown:
# the kcall workload (getppid in a loop: __do_sys_getppid per op) alone,
# with the kernel's floor for each tool (its probe or tracer armed in an
# instance nobody reads), and under each tool writing to a file.
# Run by bench/vm-run through the VM harness; output as `#` lines.
# vm-timeout: 600
set -euo pipefail
. "$SNOOP_TEST_DIR/lib.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECS:-2}
# getppid's body: __do_sys_getppid on x86_64 (its __x64_sys_ wrapper is not
# traceable: not in available_filter_functions); arm64's SYSCALL_DEFINE0 has
# no __do_sys_ body, its __arm64_sys_getppid is the function itself.
FUNC=
for f in __do_sys_getppid __arm64_sys_getppid; do
	grep -qx "$f" "$TRACEFS/available_filter_functions" && { FUNC=$f; break; }
done
[[ -n $FUNC ]] || skip "no traceable getppid body (__do_sys_getppid, __arm64_sys_getppid) on $(uname -m)"
FLOOR=$TRACEFS/instances/bench_floor_$$
has_ft=0
grep -qw function "$TRACEFS/available_tracers" && has_ft=1

floor_on() { # kprobe|pair|function
	mkdir "$FLOOR"
	case $1 in
	kprobe)
		echo "p:bench_floor_$$/getppid $FUNC" >>"$TRACEFS/dynamic_events"
		echo 1 >"$FLOOR/events/bench_floor_$$/getppid/enable" ;;
	pair) # functrace --latency's probes: entry and return
		echo "p:bench_floor_$$/getppid $FUNC" >>"$TRACEFS/dynamic_events"
		echo "r:bench_floor_$$/getppid_ret $FUNC" >>"$TRACEFS/dynamic_events"
		echo 1 >"$FLOOR/events/bench_floor_$$/enable" ;;
	function)
		echo "$FUNC" >"$FLOOR/set_ftrace_filter"
		echo function >"$FLOOR/current_tracer" ;;
	esac
}
floor_off() {
	echo 0 >"$FLOOR/events/enable" 2>/dev/null || true
	echo nop >"$FLOOR/current_tracer" 2>/dev/null || true
	rmdir "$FLOOR"
	echo "-:bench_floor_$$/getppid" >>"$TRACEFS/dynamic_events" 2>/dev/null || true
	echo "-:bench_floor_$$/getppid_ret" >>"$TRACEFS/dynamic_events" 2>/dev/null || true
}

# one CONFIG: the workload's rate, and the tool's lines and losses
one() {
	local c=$1 out=$PWD/$1.out err=$PWD/$1.err
	local -a tool=()
	case $c in
	alone) ;;
	floor-kprobe) floor_on kprobe ;;
	floor-function) floor_on function ;;
	floor-pair) floor_on pair ;;
	kprobe) tool=(kprobe "p:$FUNC") ;;
	kprobe-j) tool=(kprobe -j "p:$FUNC") ;;
	kprobe-c) tool=(kprobe -c "p:$FUNC") ;; # the kernel's hit counter (kprobe_profile)
	kprobe-c-hist) tool=(kprobe -c --exclude-self "p:$FUNC") ;; # a hist trigger where the kernel has them
	kprobe-c-user) tool=(kprobe -c --user-count "p:$FUNC") ;; # one record per hit
	functrace) tool=(functrace "$FUNC") ;;
	functrace-c) tool=(functrace -c "$FUNC") ;;
	functrace-lat) tool=(functrace --latency "$FUNC") ;; # hist triggers where the kernel has them
	functrace-lat-user) tool=(functrace --latency --user-space "$FUNC") ;; # two records per call
	esac
	if ((${#tool[@]})); then
		bench_start "$c" "$out" "$err" "$SNOOP_BIN/${tool[0]}" "${tool[@]:1}"
	fi
	kcall "$SECS" >wl.out
	if ((${#tool[@]})); then
		stop_bg -t 60
	fi
	case $c in floor-*) floor_off ;; esac
	local rate lines=- lost=-
	rate=$(awk '{print $6}' wl.out)
	if ((${#tool[@]})); then
		case $c in
		# the count rows (the one function may be named by an alias of
		# its address, e.g. __ia32_sys_getppid)
		# --latency: the calls its histogram holds
		*-lat | *-lat-user) lines=$(awk '/ latency \(usecs\): / {n += $(NF - 1)} END {print n + 0}' "$out") ;;
		*-c | *-c-hist | *-c-user) lines=$(awk '$NF ~ /^[0-9]+$/ && NF >= 2 {n += $NF} END {print n + 0}' "$out") ;;
		*) lines=$(grep -c kcall "$out" || true) ;;
		esac
		lost=$(bench_lost "$err")
	fi
	echo "$c $rate $lines $lost $(awk '{print $2}' wl.out)" >>results
}

configs=(alone floor-kprobe kprobe kprobe-j kprobe-c kprobe-c-hist kprobe-c-user)
((has_ft)) && configs+=(floor-function functrace functrace-c)
configs+=(floor-pair functrace-lat functrace-lat-user)
bench_rounds "$ROUNDS" "${configs[@]}"
note "kernel $(uname -r), $(nproc) CPU(s), $ROUNDS rounds of ${SECS}s, medians; kcall = getppid() in a loop"
python3 -S -I - results "$SNOOP_TEST_DIR" "$has_ft" <<'PY' | while IFS= read -r l; do note "$l"; done
import sys
sys.path.insert(0, sys.argv[2])
from results import load, med, median_round
rows = load(sys.argv[1])
alone = med([r[0] for r in rows["alone"]])
print("| config | rate vs alone | vs its floor | ops -> reported (median round) | lost (median round) |")
print("|---|---:|---:|---|---:|")
for c, floor in [("alone", None), ("floor-kprobe", None), ("kprobe", "floor-kprobe"), ("kprobe-j", "floor-kprobe"),
                 ("kprobe-c", "floor-kprobe"), ("kprobe-c-hist", "floor-kprobe"), ("kprobe-c-user", "floor-kprobe"), ("floor-function", None), ("functrace", "floor-function"),
                 ("functrace-c", "floor-function"), ("floor-pair", None), ("functrace-lat", "floor-pair"),
                 ("functrace-lat-user", "floor-pair")]:
    if c not in rows:
        continue
    rate = med([r[0] for r in rows[c]])
    vf = f"{rate / med([r[0] for r in rows[floor]]):.2f}" if floor else "—"
    rep, lost = median_round(rows[c])
    print(f"| {c} | {rate / alone:.2f} | {vf} | {rep} | {lost} |")
PY
assert_no_snoop_leftovers
