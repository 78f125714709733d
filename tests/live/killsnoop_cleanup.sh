#!/usr/bin/env bash
# Every way killsnoop can end leaves tracefs exactly as it was: SIGINT,
# SIGTERM, SIGHUP, SIGQUIT, SIGPIPE (| head -n 1), -d; after kill -9 the
# next start removes what the killed one left. The exit status is 0 for
# each (a signal is the normal end of a trace).
. "$(dirname "$0")/lib.sh"

snapshot_tracefs "$WORK/before"
check_same() {
	snapshot_tracefs "$WORK/after"
	assert_tracefs_same "$WORK/before" "$WORK/after"
}

assert_stop_signals_clean "kill -0 $$" "$SNOOP_BIN/killsnoop"

# -d: ends by itself, and says what it saw in the meantime.
( sleep 0.5; kill -0 $$ ) &
t0=$(date +%s%N)
"$SNOOP_BIN/killsnoop" -d 1 >"$WORK/d.out" 2>"$WORK/d.err" || fail "-d 1: exit status $?"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -ge 1000 ] && [ "$ms" -lt 5000 ] || fail "-d 1 took $ms ms"
grep -Eq " kill +0 +$$ +0\$" "$WORK/d.out" || fail "-d 1: the kill -0 is missing: $(cat "$WORK/d.out")"
check_same
note "-d 1: clean after $ms ms"

# SIGPIPE: the reader goes away after the first line.
assert_sigpipe_ends "kill -0 $$" "$SNOOP_BIN/killsnoop"
check_same
note "SIGPIPE: clean"

# kill -9 leaves the instance; the next start sweeps it.
assert_kill9_swept "$SNOOP_BIN/killsnoop"
check_same
note "kill -9: the next start removed the leftovers"

# Bad input: one line on stderr, status 64, tracefs untouched.
for args in "-p 0x" "-x extra" "-i 1"; do
	# shellcheck disable=SC2086
	"$SNOOP_BIN/killsnoop" $args >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "killsnoop $args: accepted"
	st=$?
	[ "$st" = 64 ] || fail "killsnoop $args: exit status $st, not 64"
	check_same
done
note "bad arguments: status 64, tracefs untouched"
