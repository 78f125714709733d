# shellcheck shell=bash
# Helpers of tests/live/reliability_*.sh (issue 9), on top of lib.sh: the
# full tracefs snapshot of tests/vm/reliability/snapshot.bash, and counters
# of what was compared, printed at the end ("states compared: N").
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SNOOP_SRC=${SNOOP_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=../vm/reliability/snapshot.bash
. "$SNOOP_SRC/tests/vm/reliability/snapshot.bash"

# The machine is shared: another test's kill -9 can leave a snoop_* instance
# of a dead PID at any moment, until the next tool's start sweeps it. To
# tell ours from theirs, every tool this test runs goes through a wrapper
# that writes its PID (the tool's own, exec keeps it) to REL_PIDFILE, and
# rel_snapshot leaves out snoop_* entries of PIDs not in it. The real
# binaries stay in REL_REAL_BIN (valgrind must be given those).
REL_REAL_BIN=$SNOOP_BIN
export REL_PIDFILE=$WORK/tool-pids
: >"$REL_PIDFILE"
mkdir -p "$WORK/bin"
for _t in "$REL_REAL_BIN"/*; do
	[ -x "$_t" ] || continue
	# (REL_NOFILE: rel_fd_sweep's fd limit, set here, after the shell's own
	# opens, so that the limit applies to the tool alone)
	printf '#!/bin/sh\necho $$ >>"$REL_PIDFILE" || exit 126\n[ -z "$REL_NOFILE" ] || ulimit -n "$REL_NOFILE" || exit 126\nexec %q "$@"\n' \
		"$_t" >"$WORK/bin/${_t##*/}"
	chmod +x "$WORK/bin/${_t##*/}"
done
SNOOP_BIN=$WORK/bin

REL_STATES=0
REL_INPUTS=0
# REL_ON_EXIT: a test's own undo (foreign set-ups), run first at exit.
REL_ON_EXIT=
trap 'eval "$REL_ON_EXIT"; cleanup_live; echo "[$TEST_NAME] states compared: $REL_STATES, hostile inputs tried: $REL_INPUTS"' EXIT

rel_before() { rel_snapshot "$WORK/before"; }

# rel_check LABEL: the state now equals the one rel_before took.
rel_check() {
	rel_snapshot "$WORK/after"
	REL_STATES=$((REL_STATES + 1))
	rel_compare "$WORK/before" "$WORK/after" || fail "$1: tracefs state changed (diff above: - before, + after)"
}

have_tool() { [ -x "$SNOOP_BIN/$1" ]; }

# Generate some opens and execs so that a tool has something to write.
poke() {
	local i
	for i in 1 2 3; do /bin/true; cat /etc/hostname >/dev/null 2>&1 || true; done
}

# rel_wait_gone PID SECS: wait for a process that is not our child to end.
rel_wait_gone() {
	local pid=$1 i
	for i in $(seq 1 $((${2:-10} * 20))); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# lib.sh's wait_armed takes tracing_on 1 for "armed", but a new instance has
# tracing_on 1 from its mkdir: wait for the set-up's end (rel_armed) instead.
wait_armed() {
	local pid=$1 i d
	for i in $(seq 1 200); do
		d=$(ls -d "$TRACEFS"/instances/snoop_*_"$pid" 2>/dev/null | head -n 1 || true)
		[ -n "$d" ] && rel_armed "$d" && return 0
		kill -0 "$pid" 2>/dev/null || fail "tool PID $pid died before arming"
		sleep 0.05
	done
	fail "tool PID $pid did not arm within 10 s"
}
