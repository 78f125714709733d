# shellcheck shell=bash
# Issue 9, coexistence (sourced by coexist_*.sh, each naming the tools it
# runs in COEXIST_TOOLS, so that each boot fits in a minute): a foreign kprobe in another group (enabled in a
# foreign instance), a hand-made instance (events, a filter, a bigger
# buffer, an option), the real trace-cmd (an instance set up by `trace-cmd
# start` and a `trace-cmd record` running in the background, each in its
# own instance) and a top-level function tracer with a filter are set up
# first. After runs of every tool (normal end, and kill -9 + snoop-reset)
# they are all still there, unchanged (full snapshot), and still recording:
# after every run an exec of a new marker path must reach the trace-cmd
# instances, and trace-cmd record must still be alive.
. "$(dirname "${BASH_SOURCE[0]}")/common.bash"
wanted() { [[ " ${COEXIST_TOOLS[*]} " == *" $1 "* ]] && r_have "$1"; }
require_file "$TRACEFS/kprobe_events" "needs kprobe events"
trap 'r_counts; foreign_cleanup' EXIT

FI=$TRACEFS/instances/tracecmd_like
TC=$TRACEFS/instances/tc_start
TCR=$TRACEFS/instances/tc_record
tc_pid=
foreign_cleanup() {
	if [[ -n $tc_pid ]]; then
		kill -INT "$tc_pid" 2>/dev/null || true
		builtin wait "$tc_pid" 2>/dev/null || true
	fi
	if [[ -d $TC ]]; then trace-cmd reset -B tc_start -d >/dev/null 2>&1 || true; fi
	rmdir "$TC" "$TCR" 2>/dev/null || true
	echo nop >"$TRACEFS/current_tracer" 2>/dev/null || true
	echo >"$TRACEFS/set_ftrace_filter" 2>/dev/null || true
	echo 0 >"$FI/events/enable" 2>/dev/null || true
	echo 0 >"$FI/events/foreign/enable" 2>/dev/null || true
	rmdir "$FI" 2>/dev/null || true
	echo '-:foreign/fopen' >>"$TRACEFS/dynamic_events" 2>/dev/null || true
	echo '-:snoop/fake' >>"$TRACEFS/dynamic_events" 2>/dev/null || true
}
has_ft=0
[[ $(cat "$TRACEFS/available_tracers") == *function* ]] && has_ft=1

# The foreign set-up (what perf-tools, trace-cmd and a human would leave).
tracefs_write dynamic_events "p:foreign/fopen do_sys_openat2 dfd=$(kreg 1):s32" --append
# A group named like ours but without a PID: never ours to remove.
tracefs_write dynamic_events 'p:snoop/fake do_sys_openat2' --append
mkdir "$FI"
tracefs_write "$FI/buffer_size_kb" 2048
tracefs_write "$FI/events/sched/sched_process_exec/enable" 1
tracefs_write "$FI/events/syscalls/sys_enter_openat/filter" 'mode == 0'
tracefs_write "$FI/events/syscalls/sys_enter_openat/enable" 1
tracefs_write "$FI/events/foreign/fopen/enable" 1
tracefs_write "$FI/options/stacktrace" 1
if ((has_ft)); then
	tracefs_write set_ftrace_filter 'vfs_read'
	tracefs_write current_tracer function
fi
tracefs_write set_event_pid "$$"
has_tc=0
if command -v trace-cmd >/dev/null; then
	has_tc=1
	# (the openat filter rarely matches: the snapshots' openat flood would
	# push the markers out of the 1 MiB buffer)
	trace-cmd start -B tc_start -e sched:sched_process_exec -e syscalls:sys_enter_openat \
		-f 'mode == 0123' -b 1024 >tc_start.log 2>&1 || { cat tc_start.log; fail "trace-cmd start failed"; }
	[[ -d $TC ]] || fail "trace-cmd start made no instance tc_start"
	trace-cmd record -B tc_record -e sched:sched_process_exec -o "$PWD/tc.dat" >tc_record.log 2>&1 &
	tc_pid=$!
	for ((i = 0; i < 300; i++)); do
		[[ -d $TCR && $(cat "$TCR/set_event" 2>/dev/null) == *sched_process_exec* &&
			$(cat "$TCR/tracing_on" 2>/dev/null) == 1 ]] && break
		[[ -d /proc/$tc_pid ]] || { cat tc_record.log; fail "trace-cmd record ended at once"; }
		sleep 0.1
	done
	((i < 300)) || { cat tc_record.log; fail "trace-cmd record did not set up its instance"; }
	# its recorder processes open the per-CPU files after that: give them
	# the marker test below to prove it instead of a sleep
	tc_mark_n=0
	tc_mark() { # an exec of a new path, then both trace-cmd instances must have it
		local m=/tmp/tcmark_$((++tc_mark_n)) i
		ln -sf /bin/bash "$m"
		"$m" -c :
		for ((i = 0; i < 100; i++)); do
			grep -q "${m##*/}" "$TC/trace" && break
			sleep 0.1
		done
		grep -q "${m##*/}" "$TC/trace" || fail "$1: the trace-cmd start instance no longer records"
		[[ -d /proc/$tc_pid ]] || { cat tc_record.log; fail "$1: trace-cmd record died"; }
	}
	tc_mark "before any run"
else
	note "trace-cmd not in the guest: only the hand-made instance"
fi
r_before

runs=()
wanted execsnoop && runs+=("execsnoop -x -j")
wanted opensnoop && runs+=("opensnoop -x")
wanted kprobe && runs+=("kprobe -s r:do_sys_openat2_SP_ret=retval:s64")
if wanted functrace && ((has_ft)); then
	# 6.1 allows function_graph only at the top level (functrace refuses
	# it there, tested in functrace/graph): the function tracer then.
	mkdir "$TRACEFS/instances/rel_tracers"
	if grep -qw function_graph "$TRACEFS/instances/rel_tracers/available_tracers"; then
		runs+=("functrace -g do_sys_openat2")
	else
		runs+=("functrace do_sys_openat2")
	fi
	rmdir "$TRACEFS/instances/rel_tracers"
fi
((${#runs[@]})) || skip "no tool built"

for run in "${runs[@]}"; do
	read -r -a R <<<"$run"
	R=("${R[@]//_SP_/ }")
	R[0]=$SNOOP_BIN/${R[0]}
	r_start run "${R[@]}"
	poke
	stop_bg -t 20
	r_check "$run"
	((has_tc)) && tc_mark "$run"
	r_start run "${R[@]}"
	kill -9 "$BG_PID"; wait "$BG_PID" 2>/dev/null || true; _bg_forget "$BG_PID"
	"$SNOOP_BIN/snoop-reset" >/dev/null 2>reset.err || fail "snoop-reset: $(cat reset.err)"
	r_check "$run, kill -9, snoop-reset"
	((has_tc)) && tc_mark "$run, kill -9, snoop-reset"
done

# Still recording: the foreign instance saw our opens and execs.
: >"$FI/trace"
cat /etc/passwd >/dev/null
/bin/true
grep -q 'fopen:' "$FI/trace" || fail "the foreign kprobe no longer records"
grep -q 'sched_process_exec:' "$FI/trace" || fail "the foreign instance's events no longer record"
if ((has_ft)); then
	grep -q 'vfs_read' "$TRACEFS/trace" || fail "the top-level function tracer no longer records"
fi
if ((has_tc)); then
	# trace-cmd record recorded every marker, from before the first run
	# to after the last: it was never disturbed.
	kill -INT "$tc_pid"
	builtin wait "$tc_pid" || { cat tc_record.log; fail "trace-cmd record failed"; }
	tc_pid=
	trace-cmd report -i "$PWD/tc.dat" >tc.report 2>tc_report.err || { cat tc_report.err; fail "trace-cmd report failed"; }
	for ((i = 1; i <= tc_mark_n; i++)); do
		grep -q "tcmark_$i\b" tc.report || { grep -c . tc.report; fail "trace-cmd record missed marker $i of $tc_mark_n"; }
	done
	note "trace-cmd record saw all $tc_mark_n markers; trace-cmd start's instance saw each after its run"
fi
note "${#runs[@]} runs beside a foreign kprobe, a hand-made instance, trace-cmd start and record instances and the top-level function tracer"
