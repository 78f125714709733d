# shellcheck shell=bash
# Shared by the guestbench tests (sourced; not a test itself).
. /snoopvm/lib.sh

# bench_start CONFIG OUT ERR CMD...: CMD in the background, stdout to OUT
# and stderr to ERR, and back once its session records (the test fails if
# it never does). BG_PID is CMD's PID, which names its instance.
bench_start() {
	local c=$1 out=$2 err=$3 d='' i
	shift 3
	start_bg "$@" >"$out" 2>"$err"
	for ((i = 0; i < 600; i++)); do
		d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID" 2>/dev/null || true)
		[[ -n $d ]] && snoop_armed "$d" && return 0
		sleep 0.05
	done
	fail "$c did not arm: $(cat "$err")"
}

# bench_lost ERR: the events a tool said it lost (its last "ring buffer
# full" total on stderr), 0 when it lost none.
bench_lost() {
	local n
	n=$(sed -n 's/.*(ring buffer full, \([0-9]*\) in all).*/\1/p' "$1" | tail -n 1)
	echo "${n:-0}"
}

# bench_rounds ROUNDS CONFIG...: `one CONFIG` (the test's own function,
# which appends a line to ./results) for every CONFIG, ROUNDS times over:
# interleaved, so that a change of load on the host hits every CONFIG alike.
bench_rounds() {
	local n=$1 r c
	shift
	: >results
	for ((r = 1; r <= n; r++)); do
		for c in "$@"; do
			one "$c"
		done
	done
}
