#!/usr/bin/env bash
# Every way execsnoop can end leaves tracefs exactly as it was: SIGINT,
# SIGTERM, SIGHUP, SIGQUIT, SIGPIPE (| head -n 1), -d; after kill -9 its
# reaper removes what it left within 1 s; after kill -9 of both, the next
# start or snoop-reset does.
. "$(dirname "$0")/lib.sh"

snapshot_tracefs "$WORK/before"
check_same() {
	snapshot_tracefs "$WORK/after"
	assert_tracefs_same "$WORK/before" "$WORK/after"
}

for sig in INT TERM HUP QUIT; do
	start_tool "sig$sig" "$SNOOP_BIN/execsnoop"
	pid=$BG_PID
	/bin/true
	stop_tool "$pid" "$sig"
	[ "$BG_STATUS" = 0 ] || fail "SIG$sig: exit status $BG_STATUS"
	assert_no_leftovers_of "$pid"
	check_same
	note "SIG$sig: clean, exit 0"
done

# -d: ends by itself (SIGALRM inside).
t0=$(date +%s%N)
"$SNOOP_BIN/execsnoop" -d 1 >"$WORK/d.out" 2>"$WORK/d.err" || fail "-d 1: exit status $?"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -ge 1000 ] && [ "$ms" -lt 5000 ] || fail "-d 1 took $ms ms"
check_same
note "-d 1: clean after $ms ms"

# SIGPIPE: the reader goes away after the first line.
( "$SNOOP_BIN/execsnoop" 2>"$WORK/pipe.err"; echo $? >"$WORK/pipe.status" ) | head -n 1 >"$WORK/pipe.out" &
hpid=$!
for _ in $(seq 1 100); do
	[ -s "$WORK/pipe.out" ] && break
	/bin/true; sleep 0.05
done
# The header is the first line; the tool notices the closed pipe at its
# next write, so give it execs to write about.
for _ in $(seq 1 20); do /bin/true; sleep 0.05; [ -s "$WORK/pipe.status" ] && break; done
wait $hpid || true
[ -s "$WORK/pipe.status" ] || fail "execsnoop did not end after its reader went away"
[ "$(cat "$WORK/pipe.status")" = 0 ] || fail "SIGPIPE: exit status $(cat "$WORK/pipe.status")"
check_same
note "SIGPIPE: clean"

# kill -9 of execsnoop alone: its reaper removes everything within 1 s,
# with no other start.
start_tool k9r "$SNOOP_BIN/execsnoop"
pid=$BG_PID
reaper=$(reaper_of "$pid") || fail "execsnoop $pid has no snoop-reaper"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
ms=$(wait_session_gone "$pid" 1000)
check_same
note "kill -9 of the tool alone: its reaper cleaned up in $ms ms"

# kill -9 of the tool and its reaper: the leftovers stay; the next start
# sweeps them.
start_tool k9 "$SNOOP_BIN/execsnoop"
pid=$BG_PID
reaper=$(reaper_of "$pid") || fail "execsnoop $pid has no snoop-reaper"
kill -9 "$reaper"; kill -9 "$pid"; wait "$pid" 2>/dev/null || true
sleep 0.2
[ -n "$(session_left "$pid")" ] || fail "kill -9 of tool and reaper left nothing: the test cannot see the sweep"
"$SNOOP_BIN/execsnoop" -d 0.2 >/dev/null 2>"$WORK/sweep.err" || fail "next start failed: $(cat "$WORK/sweep.err")"
assert_no_leftovers_of "$pid"
check_same
note "kill -9 of tool and reaper: the next start removed the leftovers"

# snoop-reset does the same without a new trace, and touches nothing else.
mkdir "$TRACEFS/instances/not_snoop_$$"
start_tool k9b "$SNOOP_BIN/execsnoop"
pid=$BG_PID
reaper=$(reaper_of "$pid") || fail "execsnoop $pid has no snoop-reaper"
kill -9 "$reaper"; kill -9 "$pid"; wait "$pid" 2>/dev/null || true
"$SNOOP_BIN/snoop-reset" >"$WORK/reset.out" 2>&1 || fail "snoop-reset failed: $(cat "$WORK/reset.out")"
assert_no_leftovers_of "$pid"
[ -d "$TRACEFS/instances/not_snoop_$$" ] || fail "snoop-reset removed a foreign instance"
rmdir "$TRACEFS/instances/not_snoop_$$"
check_same
note "snoop-reset: removed the dead session's instance only"
