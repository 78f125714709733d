# shellcheck shell=bash
# Shared by the reliability guest tests (issue 9): the full tracefs snapshot
# (snapshot.bash, also used by tests/live/reliability_*.sh) and helpers.
. /snoopvm/lib.sh
# shellcheck source=snapshot.bash
. "$(dirname "${BASH_SOURCE[0]}")/snapshot.bash"

R_STATES=0
R_INPUTS=0
r_counts() { note "states compared: $R_STATES, hostile inputs tried: $R_INPUTS"; }

# A freshly booted 6.1 shows the top-level buffer unexpanded ("7 (expanded:
# 1408)"); the first event enabled anywhere, in any instance, expands it
# (tracing_update_buffers(), to 1410: whole pages). That is the kernel's lazy
# allocation, done by any tracer's first use, not a setting: do that first
# use here, before the first snapshot. (A bare mkdir of an instance does not
# expand it; 6.12 expands per instance and leaves the top level as it is.)
r_before() {
	local v t=$TRACEFS/instances/rel_expand
	v=$(cat "$TRACEFS/buffer_size_kb")
	if [[ $v == *expanded* ]]; then
		mkdir "$t"
		echo 1 >"$t/events/sched/sched_process_exec/enable"
		echo 0 >"$t/events/sched/sched_process_exec/enable"
		rmdir "$t"
	fi
	rel_snapshot "$PWD/.rel-before"
}
r_check() { # LABEL
	rel_snapshot "$PWD/.rel-after"
	R_STATES=$((R_STATES + 1))
	rel_compare "$PWD/.rel-before" "$PWD/.rel-after" || fail "$1: tracefs state changed (diff above: - before, + after)"
	assert_no_snoop_leftovers
}

r_have() { [[ -x $SNOOP_BIN/$1 ]]; }

# r_start NAME CMD ARGS...: start a tool in the background (output in
# NAME.out/.err), wait until its instance has tracing on. BG_PID is its pid.
r_start() {
	local name=$1 i d
	shift
	start_bg "$@" >"$name.out" 2>"$name.err"
	for ((i = 0; i < 300; i++)); do
		d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID" 2>/dev/null | head -n 1 || true)
		[[ -n $d ]] && rel_armed "$d" && return 0
		[[ -d /proc/$BG_PID ]] || { cat "$name.err" >&2; fail "$name died before arming"; }
		sleep 0.1
	done
	fail "$name did not arm in 30 s"
}

poke() {
	local i
	for i in 1 2 3; do /bin/true relpoke; cat /etc/passwd >/dev/null; done
}

# r_reaper_of PID: the snoop-reaper of tool PID (guest lib.sh).
r_reaper_of() { snoop_reaper_of "$@"; }

# r_wait_clean MS: until no snoop_* leftover (instance, event, reaper) is
# left; prints the milliseconds it took; fails after MS.
r_now_ms() { # (busybox's date has no %N; /proc/uptime has centiseconds)
	local u
	read -r u _ </proc/uptime
	u=${u/./}
	echo $((10#$u * 10))
}
r_wait_clean() {
	local t0 ms
	t0=$(r_now_ms)
	while :; do
		ms=$(($(r_now_ms) - t0))
		[[ -z $(snoop_leftovers) ]] && { echo "$ms"; return 0; }
		((ms <= $1)) || fail "leftovers still there after $ms ms: $(snoop_leftovers)"
		sleep 0.02
	done
}
