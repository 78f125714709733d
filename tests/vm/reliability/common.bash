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
# 1408)"); the first instance expands it (to 1410). That is the kernel's
# lazy allocation, not a setting: expand it before the first snapshot.
r_before() {
	local v
	v=$(cat "$TRACEFS/buffer_size_kb")
	if [[ $v == *expanded* ]]; then
		mkdir "$TRACEFS/instances/rel_expand" && rmdir "$TRACEFS/instances/rel_expand"
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
		d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID" 2>/dev/null || true)
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
