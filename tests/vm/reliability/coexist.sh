#!/bin/bash
# vm-timeout: 180
# Issue 9, coexistence: a foreign kprobe in another group (enabled in a
# foreign instance), a trace-cmd-style instance (events, a filter, a bigger
# buffer, its own tracer) and a top-level function tracer with a filter are
# set up first. After runs of every tool (normal end and kill -9 + sweep)
# they are all still there, unchanged, and still recording.
set -euo pipefail
. "$(dirname "$0")/common.bash"
require_file "$TRACEFS/kprobe_events" "needs kprobe events"
trap 'r_counts; foreign_cleanup' EXIT

FI=$TRACEFS/instances/tracecmd_like
foreign_cleanup() {
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
tracefs_write dynamic_events 'p:foreign/fopen do_sys_openat2 dfd=%di:s32' --append
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
r_before

runs=()
r_have execsnoop && runs+=("execsnoop -x -j")
r_have opensnoop && runs+=("opensnoop -x")
r_have kprobe && runs+=("kprobe -s r:do_sys_openat2_SP_ret=retval:s64")
if r_have functrace && ((has_ft)); then
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
	r_start run "${R[@]}"
	kill -9 "$BG_PID"; wait "$BG_PID" 2>/dev/null || true; _bg_forget "$BG_PID"
	"$SNOOP_BIN/snoop-reset" >/dev/null 2>reset.err || fail "snoop-reset: $(cat reset.err)"
	r_check "$run, kill -9, snoop-reset"
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
note "${#runs[@]} runs beside a foreign kprobe, a trace-cmd-like instance and the top-level function tracer"
