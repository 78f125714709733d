#!/bin/bash
# Signals (issue 16): every signal whose default action would end a tool is
# a stop signal with the usual teardown (exit 0, nothing left); SIGXFSZ is
# ignored (a write past `ulimit -f` is an output error instead); a fault
# signal sent with kill(1) stops it too. opensnoop --libc signalled at
# random moments of its set-up: always exit 0, not a word, nothing left.
. "$(dirname "$0")/lib.sh"

[ -e "$TRACEFS/events/syscalls/sys_enter_openat" ] || skip "no syscall tracepoints"
snapshot_tracefs "$WORK/before"

TOOLS=(
	"execsnoop|$SNOOP_BIN/execsnoop"
	"opensnoop|$SNOOP_BIN/opensnoop"
	"kprobe|$SNOOP_BIN/kprobe t:syscalls:sys_enter_openat"
)
RT=$(( $(kill -l RTMIN) + 2 ))
FAULTS="SEGV BUS TRAP"
# Under ASan (the CI's second pass) the sanitizer's handlers keep SIGSEGV
# and SIGBUS, on purpose: libsnoop leaves a fault signal that has a handler
# to it, and a sanitizer's report matters more than a teardown.
if [[ $(ldd "$SNOOP_BIN/execsnoop" 2>/dev/null) == *libasan* ]]; then
	FAULTS="TRAP"
fi

for t in "${TOOLS[@]}"; do
	name=${t%%|*}
	read -r -a cmd <<<"${t#*|}"
	for sig in XCPU USR1 USR2 VTALRM PROF IO PWR STKFLT $RT $FAULTS; do
		start_tool "$name" "${cmd[@]}"
		pid=$BG_PID
		stop_tool "$pid" "$sig"
		[ "$BG_STATUS" = 0 ] || fail "$name: exit $BG_STATUS after SIG$sig; stderr: $(cat "$WORK/$name.err")"
		grep -qv 'not available\|instead\|falling back' "$WORK/$name.err" &&
			fail "$name: SIG$sig: said $(cat "$WORK/$name.err")"
		assert_no_leftovers_of "$pid"
	done
	note "$name: SIGXCPU, SIGUSR1/2, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT, SIGRTMIN+2, kill -${FAULTS// /\/-}: exit 0, clean"

	# SIGXFSZ changes nothing: the tool keeps tracing until told to stop.
	start_tool "$name" "${cmd[@]}"
	pid=$BG_PID
	kill -XFSZ "$pid"
	sleep 0.3
	kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; fail "$name: SIGXFSZ ended it"; }
	[ "$(cat "$TRACEFS"/instances/snoop_*_"$pid"/tracing_on)" = 1 ] || fail "$name: tracing off after SIGXFSZ"
	stop_tool "$pid" INT
	[ "$BG_STATUS" = 0 ] || fail "$name: exit $BG_STATUS after SIGXFSZ, SIGINT"
	assert_no_leftovers_of "$pid"
	note "$name: SIGXFSZ ignored, then SIGINT: exit 0, clean"
done

# opensnoop --libc: a stop signal at a random moment between the session's
# birth (its instance appears: the handlers are in place by then) and the
# end of the set-up. Before that moment the default action applies and
# there is nothing to clean up.
[ -e "$TRACEFS/uprobe_events" ] || skip "no uprobe events (the rest passed)"
"$SNOOP_BIN/opensnoop" --libc -d 0.01 >/dev/null 2>"$WORK/base.err" || fail "opensnoop --libc: $(cat "$WORK/base.err")"
sort -u "$WORK/base.err" >"$WORK/base"
t0=$(date +%s%N)
start_tool libc "$SNOOP_BIN/opensnoop" --libc
setup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
stop_tool "$BG_PID" INT
hist=""
for i in $(seq 1 40); do
	sig=$( ((i % 2)) && echo TERM || echo INT)
	delay=$(( RANDOM % (setup_ms + 1) ))
	"$SNOOP_BIN/opensnoop" --libc >/dev/null 2>"$WORK/libc.err" &
	pid=$!
	BG_PIDS+=("$pid")
	# Until its instance exists (then its handlers are in place): by
	# time, not by a count of looks, which a loaded machine (the ASan run
	# beside the main one) can spend before an ASan build has started.
	deadline=$((SECONDS + 30))
	until compgen -G "$TRACEFS/instances/snoop_*_$pid" >/dev/null; do
		kill -0 "$pid" 2>/dev/null || break
		[ "$SECONDS" -lt "$deadline" ] || fail "run $i: opensnoop --libc made no instance in 30 s"
	done
	sleep "$(printf '0.%03d' "$delay")"
	kill -s "$sig" "$pid"
	st=0
	wait "$pid" || st=$?
	new=$(sort -u "$WORK/libc.err" | comm -23 - "$WORK/base")
	[ "$st" = 0 ] || fail "run $i: SIG$sig after ${delay} ms: exit $st; stderr: $(cat "$WORK/libc.err")"
	[ -z "$new" ] || fail "run $i: SIG$sig after ${delay} ms: said $new"
	assert_no_leftovers_of "$pid"
	hist+="$delay "
done
note "opensnoop --libc: 40 stop signals during a ${setup_ms} ms set-up (delays ms: $hist): exit 0, clean"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
