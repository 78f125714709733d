# shellcheck shell=bash
# Helpers of the functrace guest tests (sourced after /snoopvm/lib.sh).

FT=$SNOOP_BIN/functrace

# The top-level tracer state functrace promises never to touch.
ft_toplevel() {
	local f
	for f in current_tracer set_ftrace_filter set_ftrace_notrace set_ftrace_pid set_graph_function tracing_on \
		options/func_stack_trace options/function-fork set_graph_notrace max_graph_depth options/funcgraph-irqs; do
		[[ -r $TRACEFS/$f ]] && echo "$f: $(head -c 2000 "$TRACEFS/$f" | tr '\n' ' ')"
	done
	return 0
}

ft_snapshot() {
	snapshot_tracefs
	ft_toplevel >"$SNOOP_VM_STATE/ft_top"
}

ft_assert_clean() {
	assert_tracefs_unchanged
	ft_toplevel | diff -u "$SNOOP_VM_STATE/ft_top" - >&2 || fail "top-level tracer settings changed"
}

# ft_start OUT ARGS...: start functrace in the background, wait until its
# instance traces, BG_PID is its pid. (A new instance starts with
# tracing_on 1: only with its tracer selected is tracing_on a sign.)
ft_start() {
	ft_start_until ft_tracing "$@"
}

# ft_tracing DIR: instance DIR's function tracer is selected and on.
ft_tracing() {
	[[ $(cat "$1/current_tracer" 2>/dev/null) == function* && $(cat "$1/tracing_on" 2>/dev/null) == 1 ]]
}

# ft_start_until CHECK OUT ARGS...: functrace ARGS in the background until
# CHECK DIR is true of its instance DIR (at most 20 s).
ft_start_until() {
	local check=$1 out=$2 i d
	shift 2
	start_bg "$FT" "$@" >"$out" 2>"$out.err"
	for ((i = 0; i < 200; i++)); do
		d=$(snoop_instance_of "$BG_PID")
		if [[ -n $d ]] && "$check" "$d"; then
			return 0
		fi
		if ! kill -0 "$BG_PID" 2>/dev/null; then
			cat "$out.err" >&2
			fail "functrace $* died before tracing"
		fi
		sleep 0.1
	done
	cat "$out.err" >&2
	fail "functrace $* did not start tracing in 20s"
}

# ft_stop OUT: SIGINT, expect status 0, show stderr on failure.
ft_stop() {
	local out=$1
	stop_bg -a -t 20
	[[ $BG_STATUS == 0 ]] || { cat "$out.err" >&2; fail "functrace exited with $BG_STATUS after SIGINT"; }
}

# opener_start N M [FAST SLOW_MS]: a workload waiting for SIGUSR1; OPENER is its pid.
opener_start() {
	ft_opener "$1" "$2" "$PWD/target.txt" "${@:3}" &
	OPENER=$!
	echo hello >"$PWD/target.txt"
}

# opener_run: let it go and wait for it.
opener_run() {
	kill -USR1 "$OPENER"
	wait "$OPENER"
}

# ft_graph_in_instances: true if this kernel lets an instance select
# function_graph (6.12; 6.1 offers it at the top level only).
ft_graph_in_instances() {
	local d=$TRACEFS/instances/ft_probe_graph allowed
	mkdir "$d"
	allowed=$(cat "$d/available_tracers")
	rmdir "$d"
	grep -qw function_graph <<<"$allowed"
}

# ft_require_graph_instance: skip (saying why) unless it does.
ft_require_graph_instance() {
	grep -qw function_graph "$TRACEFS/available_tracers" || skip "no function_graph tracer"
	ft_graph_in_instances ||
		skip "function_graph is not allowed in instances on $(uname -r) (graph_tree checks the refusal)"
}

# ft_traced_opener OUT "N M [FAST SLOW_MS]" ARGS...: functrace ARGS -p on a
# fresh ft_opener, let it run, stop functrace (output in OUT).
ft_traced_opener() {
	local out=$1 wl
	read -r -a wl <<<"$2"
	shift 2
	opener_start "${wl[@]}"
	ft_start "$out" "$@" -p "$OPENER"
	opener_run
	sleep 1
	ft_stop "$out"
}

# ft_graph_begin: the start of a -G test: skip where instances cannot run
# function_graph, remember the tracefs state, write the workload's file.
ft_graph_begin() {
	ft_require_graph_instance
	ft_snapshot
	echo hello >"$PWD/target.txt"
}

# ft_lat_start OUT ARGS...: functrace --latency/--slower-than ARGS in the
# background, until its kprobes record: snoop_armed's events, and its
# "timing" line (a new instance's tracing_on is 1 from mkdir on, and
# set_event lists the first event enabled: the kprobes may come later).
ft_lat_start() {
	local i
	ft_start_until snoop_armed "$@"
	# (nap, not sleep: a sleep's own nanosleep would be timed too)
	for ((i = 0; i < 100; i++)); do
		[[ $(<"$1.err") == *"functrace: timing "* ]] && return 0
		nap 0.1
	done
	fail "functrace ${*:2} did not say it was timing in 10 s"
}

# ft_require_kprobes: skip unless the kernel has kprobe events.
ft_require_kprobes() {
	[[ -e $TRACEFS/kprobe_events ]] || skip "no kprobe events (CONFIG_KPROBE_EVENTS)"
}
