# shellcheck shell=bash
# Shared by the opensnoop guest tests (sourced; not a test itself).
. /snoopvm/lib.sh
D=$SNOOP_TEST_DIR
OS=$SNOOP_BIN/opensnoop

require_kprobes() {
	require_file "$TRACEFS/kprobe_events" "no kprobe events"
}

# wait_armed PID: the tool's private instance has its exit tracepoints
# enabled and tracing on (a new instance has tracing_on at 1 from the
# start; the tool turns it off, enables its events, then on again).
wait_armed() {
	local i d
	for ((i = 0; i < 300; i++)); do
		d=$(snoop_instance_of "$1")
		grep -q 'sys_exit_openat$' "$d/set_event" 2>/dev/null &&
			[[ $(cat "$d/tracing_on" 2>/dev/null) == 1 ]] && return 0
		kill -0 "$1" 2>/dev/null || fail "opensnoop exited before arming: $(cat err 2>/dev/null)"
		sleep 0.1
	done
	fail "opensnoop did not arm in 30 s"
}

# start_opener [UID]: the list workload in ./w, stopped at its "go" file;
# sets OPID (its pid), TIDS (pid and thread ids).
start_opener() {
	rm -rf w log ids
	mkdir w
	chmod 777 w
	(cd w && exec opener list "$@" >../log 2>../ids) &
	OPENER=$!
	wait_for_file ids -g '[0-9]+ [0-9]+'
	read -r -a TIDS <ids
	OPID=${TIDS[0]}
}

# trace NAME OPENSNOOP_ARGS...: trace while the opener runs, JSON in NAME.json.
trace() {
	local name=$1
	shift
	start_bg "$OS" -j "$@" >"$name.json" 2>"$name.err"
	wait_armed "$BG_PID"
	touch w/go
	wait "$OPENER" || fail "opener failed"
	stop_bg
	note "$name: $(grep -c '"type":"open"' "$name.json") records; stderr: $(head -c 300 "$name.err")"
}

check() { # NAME CHECK_ARGS...
	local name=$1
	shift
	python3 -S -I "$D/check_list.py" log "$name.json" ids "$@" || {
		echo "--- $name.json (first 40 lines); stderr: $(cat "$name.err")" >&2
		head -n 40 "$name.json" >&2
		fail "$name: records differ from what the opener did"
	}
}
