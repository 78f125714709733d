# shellcheck shell=bash
# The whole tracefs state a snoopkit run promises to leave as it found it,
# as text, for before/after comparison. Shared by the live tests
# (tests/live/reliability_*.sh source it) and the guest tests of this group.
#
#   rel_snapshot FILE [PID]   write the state to FILE; entries of *live*
#                             snoopkit sessions other than PID are left out
#                             (so a test can run beside other sessions)
#   rel_compare BEFORE AFTER  diff; returns 1 (diff on stderr) when different
#
# What it covers: instances (and, for every non-snoop instance, the same
# per-instance state as the top level), dynamic_events / kprobe_events /
# uprobe_events / synthetic_events, and for the top level: current_tracer, tracing_on,
# buffer_size_kb, trace_clock, set_ftrace_filter, set_ftrace_notrace,
# set_ftrace_pid, set_event, set_event_pid, set_event_notrace_pid,
# set_graph_function, every enabled event (set_event lists them; the
# per-system enable files add partial states), every event filter that is
# not "none", every trigger, and every options/ flag.
TRACEFS=${TRACEFS:-/sys/kernel/tracing}

# Is PID alive and a snoopkit session? As lib/sweep.c decides: it holds a
# file of a snoop_* instance open; or (a tool still setting up, or run by
# an older checkout on a shared machine) it is one by name.
_rel_owner_live() {
	local pid=$1
	[[ -d /proc/$pid ]] || return 1
	ls -l "/proc/$pid/fd" 2>/dev/null | grep -q '/instances/snoop_' && return 0
	grep -qaE '(^|/)(execsnoop|opensnoop|kprobe|functrace|memcheck[^ ]*)(\x00|$)' "/proc/$pid/cmdline" 2>/dev/null ||
		grep -qxE 'execsnoop|opensnoop|kprobe|functrace' "/proc/$pid/comm" 2>/dev/null
}

# _rel_skip_pid OWNER PID: true when a snoop_* entry of OWNER is to be left
# out: a live snoopkit session other than PID, or not one of this test's.
_rel_skip_pid() {
	local owner=$1 target=$2
	# Not started by this test (REL_PIDFILE, see tests/live/reliability_lib.bash):
	# someone else's, alive or killed, not ours to compare.
	if [[ -n ${REL_PIDFILE:-} ]] && ! grep -qx -- "$owner" "$REL_PIDFILE"; then
		return 0
	fi
	[[ $owner != "$target" ]] && _rel_owner_live "$owner"
}

# State of one instance directory (the top level or instances/X).
_rel_instance_state() {
	local d=$1 f v lines
	for f in current_tracer tracing_on buffer_size_kb trace_clock set_ftrace_filter \
		set_ftrace_notrace set_ftrace_pid set_event set_event_pid set_event_notrace_pid \
		set_graph_function set_graph_notrace; do
		[[ -e $d/$f ]] || continue
		# (lockdown makes some unreadable: that is stable too). Builtins
		# only: a fork per file costs seconds on a busy machine.
		v='(unreadable)'
		{ mapfile -t lines <"$d/$f" && v="${lines[*]}"; } 2>/dev/null || true
		# 6.1 shows "7 (expanded: 1408)" until the first tracing use expands
		# the top-level buffer to its configured size: the same size.
		[[ $f == buffer_size_kb && $v =~ \(expanded:\ ([0-9]+)\) ]] && v=${BASH_REMATCH[1]}
		echo "$f: $v"
	done
	if [[ -d $d/options ]]; then
		echo "options: $(cd "$d/options" && grep -H . -- * 2>/dev/null | tr '\n' ' ')"
	fi
	# Partial enables (X) and whole systems show in the per-system files.
	grep -H -v -x '0' "$d"/events/*/enable 2>/dev/null | sed "s|^$d/|enable |" || true
	# Filters and triggers of every event: only the non-default ones.
	grep -H -v -x 'none' "$d"/events/*/*/filter 2>/dev/null | sed "s|^$d/|filter |" || true
	grep -H -v '^#' "$d"/events/*/*/trigger 2>/dev/null | sed "s|^$d/|trigger |" || true
}

# The development machine is shared: other people's tests and benches make
# instances named NAME_<their pid> while we run. One whose PID is alive and
# is neither this test (REL_SELF, default $$) nor its children is not ours
# to compare.
_rel_foreign_busy() {
	local name=$1 pid
	[[ $name =~ _([0-9]+)$ ]] || return 1
	pid=${BASH_REMATCH[1]}
	[[ $pid != "${REL_SELF:-$$}" ]] || return 1
	[[ -d /proc/$pid ]] || return 1
	# our own children (the tool under test) are ours
	[[ $(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) != "${REL_SELF:-$$}" ]]
}

rel_snapshot() {
	local out=$1 target=${2:-} name line
	{
		echo "## instances"
		for name in $(ls "$TRACEFS/instances" | LC_ALL=C sort); do
			if [[ $name =~ ^snoop_[a-z-]+_([0-9a-f]{8}_)?([0-9]+)$ ]] && _rel_skip_pid "${BASH_REMATCH[2]}" "$target"; then
				continue
			fi
			_rel_foreign_busy "$name" && continue
			echo "instance $name"
		done
		echo "## dynamic events"
		for f in dynamic_events kprobe_events uprobe_events; do
			[[ -r $TRACEFS/$f ]] || continue
			while IFS= read -r line; do
				if [[ $line =~ ^[^:]*:snoop_([0-9a-f]{8}_)?([0-9]+)/ ]] && _rel_skip_pid "${BASH_REMATCH[2]}" "$target"; then
					continue
				fi
				echo "$f: $line"
			done <"$TRACEFS/$f"
		done
		# Synthetic events: a session's are named <its group>_<suffix>.
		if [[ -r $TRACEFS/synthetic_events ]]; then
			while IFS= read -r line; do
				if [[ $line =~ ^snoop_[0-9a-f]{8}_([0-9]+)_ ]] && _rel_skip_pid "${BASH_REMATCH[1]}" "$target"; then
					continue
				fi
				echo "synthetic_events: $line"
			done <"$TRACEFS/synthetic_events"
		fi
		echo "## top level"
		_rel_instance_state "$TRACEFS" | grep -v -E '^(filter|trigger|enable) events/snoop_([0-9a-f]{8}_)?[0-9]+/' || true
		for name in $(ls "$TRACEFS/instances" | LC_ALL=C sort); do
			[[ $name == snoop_* ]] && continue
			_rel_foreign_busy "$name" && continue
			echo "## instance $name"
			_rel_instance_state "$TRACEFS/instances/$name" | grep -v -E '^(filter|trigger|enable) events/snoop_([0-9a-f]{8}_)?[0-9]+/' || true
		done
	} >"$out"
}

# rel_armed INSTANCE_DIR: the session in it has finished its set-up. A new
# instance has tracing_on 1 from its mkdir, so tracing_on alone says nothing:
# also wait for an enabled event or a tracer.
rel_armed() {
	local d=$1 ev tr on
	# Events and tracer first, tracing_on after: a 1 read before them
	# could be the mkdir's, from before the set-up turned tracing off.
	ev=$(cat "$d/set_event" 2>/dev/null) || true
	tr=$(cat "$d/current_tracer" 2>/dev/null) || true
	[[ -n $ev || ( -n $tr && $tr != nop ) ]] || return 1
	on=$(cat "$d/tracing_on" 2>/dev/null) || return 1
	[[ $on == 1 ]]
}

rel_compare() {
	diff -u "$1" "$2" >&2
}

# rel_fd_sweep CHECK LABEL CMD...: an error at every step of the set-up.
# CMD runs with RLIMIT_NOFILE = 3, 4, 5, ... (ulimit -n): each limit makes
# the first open() past it fail with EMFILE, so the runs fail at later and
# later steps (signal pipe, sweep, instance, probes, event formats, filters,
# the reader's per-CPU files) until one succeeds (CMD must end by itself:
# give it -d). After every failing run, CHECK "LABEL, fd limit N" must
# pass (the caller's state comparison), and the error must be short.
# Sets REL_FD_FAILS (failing runs) and REL_FD_LATE (runs that failed after
# the events were enabled: at the reader's per-CPU files or the tracing_on
# fd) and REL_FD_OK (the first limit that worked). Returns 1 when no run
# failed late (the sweep would then not have tested a half-way failure) or
# nothing ever succeeded.
rel_fd_sweep() {
	local check=$1 label=$2 n st err
	shift 2
	err=$(mktemp)
	REL_FD_FAILS=0 REL_FD_LATE=0 REL_FD_OK=
	for ((n = 3; n <= 64; n++)); do
		st=0
		# (the live tests' PID-recording wrapper sets the limit itself,
		# after its own opens: REL_NOFILE)
		REL_NOFILE=$n timeout 60 bash -c '[[ -n ${REL_PIDFILE:-} ]] || ulimit -n "$REL_NOFILE" || exit 126; exec "$@"' \
			_ "$@" </dev/null >/dev/null 2>"$err" || st=$?
		if ((st == 0)); then
			REL_FD_OK=$n
			break
		fi
		REL_FD_FAILS=$((REL_FD_FAILS + 1))
		if ((st == 124 || st >= 128)) || [[ ! -s $err ]] || (($(wc -l <"$err") > 4)); then
			echo "$label: fd limit $n: exit $st, error:" >&2
			head -c 2000 "$err" >&2
			rm -f "$err"
			return 1
		fi
		grep -qE 'per_cpu|per-CPU|trace_pipe_raw|/tracing_on' "$err" && REL_FD_LATE=$((REL_FD_LATE + 1))
		"$check" "$label, fd limit $n ($(tail -n 1 "$err" | cut -c1-100))"
	done
	rm -f "$err"
	[[ -n $REL_FD_OK ]] || { echo "$label: no fd limit up to 64 let it run" >&2; return 1; }
	((REL_FD_LATE > 0)) || { echo "$label: no run failed after its events were enabled" >&2; return 1; }
	return 0
}
