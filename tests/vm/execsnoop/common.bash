# shellcheck shell=bash
# Shared by the execsnoop guest tests: start execsnoop and wait until its
# probes are armed (its instance exists with tracing on).
. /snoopvm/lib.sh

require_file "$TRACEFS/kprobe_events" "the kprobe path needs kprobe events"

es_start() { # OUT ARGS...
	local out=$1 i d
	shift
	start_bg "$SNOOP_BIN/execsnoop" "$@" >"$out" 2>"$out.err"
	# (builtins only: an exec of this loop under way when tracing goes on
	# would be seen without its entry record, and with -u without a UID)
	for ((i = 0; i < 300; i++)); do
		d=$(snoop_instance_of "$BG_PID")
		[[ -n $d ]] && snoop_armed "$d" && return 0
		[[ -d /proc/$BG_PID ]] || { cat "$out.err" >&2; fail "execsnoop died before arming"; }
		nap 0.1
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

# The counts execsnoop -v printed, as notes (they show in the run log).
counts() { # ERRFILE LABEL
	local l
	while IFS= read -r l; do
		note "$2: ${l#execsnoop: }"
	done < <(grep -E '^execsnoop: ' "$1" | grep -vE 'tracing [0-9]+ event')
}

# release: a line each for up to three keepers blocked reading the FIFO
# "hold" (opened read-write here, so the write never blocks), then wait for
# the test's background jobs.
release() {
	local fd
	exec {fd}<>hold
	printf '\n\n\n' >&"$fd"
	wait
	exec {fd}>&-
}
