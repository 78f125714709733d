# shellcheck shell=bash
# Shared by the execsnoop guest tests: start execsnoop and wait until its
# probes are armed (its instance exists with tracing on).
. /snoopvm/lib.sh

require_file "$TRACEFS/kprobe_events" "the kprobe path needs kprobe events"

es_start() { # OUT ARGS...
	local out=$1 i d
	shift
	start_bg "$SNOOP_BIN/execsnoop" "$@" >"$out" 2>"$out.err"
	for ((i = 0; i < 300; i++)); do
		d=$(ls -d "$TRACEFS"/instances/snoop_execsnoop_"$BG_PID" 2>/dev/null || true)
		# armed: libsnoop sets the mono clock before turning tracing on
		# (a new instance has tracing on from the start)
		[[ -n $d && $(cat "$d/tracing_on" 2>/dev/null) == 1 ]] &&
			grep -q '\[mono\]' "$d/trace_clock" 2>/dev/null && { sleep 0.3; return 0; }
		# (0.3 s to settle: under TCG on 6.1, execs in the first ~2 ms
		# after tracing went on were seen missing, once in several runs)
		[[ -d /proc/$BG_PID ]] || { cat "$out.err" >&2; fail "execsnoop died before arming"; }
		sleep 0.1
	done
	fail "execsnoop did not arm in 30 s"
}

# Stop it after the events have had time to be read.
es_stop() {
	sleep 0.5
	stop_bg
	# Its stderr goes to the test's output (shown when the test fails).
	sed 's/^/  [execsnoop stderr] /' "$1.err" >&2
	if grep -q 'kprobe events are not available' "$1.err"; then
		fail "execsnoop fell back to the tracepoint path on a kprobe kernel"
	fi
}
