#!/usr/bin/env bash
# Issue 14 (ownership) and 16 (the reaper) on this machine's kernel:
#  1. two sessions of strangesnoop, a libsnoop program that no list in
#     snoopkit names, beside execsnoop/opensnoop starts (each start sweeps):
#     never quiesced, they go on recording, they end with exit 0;
#  2. execsnoop in its own PID namespace (unshare -p -f --mount-proc, PID 1
#     there) beside execsnoop on the host: both record, neither is swept;
#     after kill -9 of the namespaced one (its reaper dies with its
#     namespace) the next host start removes its leftovers;
#  3. an instance turned off by hand under a running tool: it says so on
#     stderr and exits non-zero;
#  4. the reaper: named snoop-reaper, its own session and process group,
#     the tool's user, no tracefs file open; gone when the tool ends;
#  5. a zombie owner (killed, not reaped) does not keep its leftovers.
. "$(dirname "$0")/lib.sh"
STRANGE=$SNOOP_BIN/strangesnoop
[ -x "$STRANGE" ] || skip "no strangesnoop in $SNOOP_BIN (tests/live/CMakeLists.txt builds it)"
snapshot_tracefs "$WORK/before"

inst_of() { ls -d "$TRACEFS"/instances/snoop_*_[0-9a-f]*_"$1" 2>/dev/null | head -n 1; }

# ---- 1. a program the sweep never heard of -------------------------------
start_tool s1 "$STRANGE"
s1=$BG_PID
start_tool s2 "$STRANGE"
s2=$BG_PID
for i in 1 2 3; do
	"$SNOOP_BIN/execsnoop" -d 0.2 >/dev/null 2>"$WORK/es$i.err" || fail "execsnoop start $i: $(cat "$WORK/es$i.err")"
	"$SNOOP_BIN/opensnoop" -d 0.2 >/dev/null 2>"$WORK/os$i.err" || fail "opensnoop start $i: $(cat "$WORK/os$i.err")"
done
for p in "$s1" "$s2"; do
	d=$(inst_of "$p")
	[ -n "$d" ] || fail "strangesnoop $p: its instance was removed by a start"
	[ "$(cat "$d/tracing_on")" = 1 ] || fail "strangesnoop $p: its instance was turned off"
	grep -qx 'sched:sched_process_exec' "$d/set_event" || fail "strangesnoop $p: its event was disabled"
done
# Still recording: an exec after the sweeps shows in both.
cp /bin/true "$WORK/after-sweeps"
"$WORK/after-sweeps"
for _ in $(seq 1 40); do
	[ "$(grep -c . "$WORK/s1.out")" -gt 0 ] && [ "$(grep -c . "$WORK/s2.out")" -gt 0 ] &&
		kill -0 "$s1" && kill -0 "$s2" && break
	sleep 0.05
done
n1=$(wc -l <"$WORK/s1.out"); n2=$(wc -l <"$WORK/s2.out")
"$WORK/after-sweeps"; sleep 0.3
[ "$(wc -l <"$WORK/s1.out")" -gt "$n1" ] || fail "strangesnoop $s1 records nothing after the sweeps"
[ "$(wc -l <"$WORK/s2.out")" -gt "$n2" ] || fail "strangesnoop $s2 records nothing after the sweeps"
for p in "$s1" "$s2"; do
	stop_tool "$p" INT
	[ "$BG_STATUS" = 0 ] || fail "strangesnoop $p: exit $BG_STATUS: $(cat "$WORK/s1.err" "$WORK/s2.err")"
	assert_no_leftovers_of "$p"
done
note "1: two strangesnoop sessions beside 6 execsnoop/opensnoop starts: untouched, recording, exit 0"

# ---- 2. a PID namespace beside the host ------------------------------------
if unshare -p -f --mount-proc true 2>/dev/null; then
	unshare -p -f --mount-proc "$SNOOP_BIN/execsnoop" >"$WORK/ns.out" 2>"$WORK/ns.err" &
	ush=$!
	BG_PIDS+=("$ush")
	nspid=
	for _ in $(seq 1 100); do
		nspid=$(pgrep -P "$ush" -x execsnoop || true)
		[ -n "$nspid" ] && break
		sleep 0.05
	done
	[ -n "$nspid" ] || fail "no execsnoop in the PID namespace: $(cat "$WORK/ns.err")"
	# Its instance carries its PID there: 1.
	for _ in $(seq 1 200); do
		d=$(ls -d "$TRACEFS"/instances/snoop_execsnoop_*_1 2>/dev/null | head -n 1 || true)
		[ -n "$d" ] && grep -q '\[mono\]' "$d/trace_clock" && [ "$(cat "$d/tracing_on")" = 1 ] && break
		sleep 0.05
	done
	nsinst=$d
	[ -n "$nsinst" ] || fail "no snoop_execsnoop_*_1 instance: $(cat "$WORK/ns.err")"
	start_tool host "$SNOOP_BIN/execsnoop"
	host=$BG_PID
	# The host start swept: the namespaced session is untouched.
	[ -d "$nsinst" ] && [ "$(cat "$nsinst/tracing_on")" = 1 ] || fail "the host start swept or quiesced the namespaced session"
	cp /bin/true "$WORK/both-see-me"
	"$WORK/both-see-me"
	for _ in $(seq 1 60); do
		grep -q both-see-me "$WORK/ns.out" && grep -q both-see-me "$WORK/host.out" && break
		sleep 0.05
	done
	grep -q both-see-me "$WORK/ns.out" || fail "the namespaced execsnoop did not record: $(cat "$WORK/ns.err")"
	grep -q both-see-me "$WORK/host.out" || fail "the host execsnoop did not record: $(cat "$WORK/host.err")"
	# And a start inside another namespace does not sweep the host's.
	unshare -p -f --mount-proc "$SNOOP_BIN/execsnoop" -d 0.2 >/dev/null 2>"$WORK/ns2.err" ||
		fail "a second namespaced start: $(cat "$WORK/ns2.err")"
	[ -n "$(session_left "$host")" ] && [ "$(cat "$(inst_of "$host")/tracing_on")" = 1 ] ||
		fail "a start in a PID namespace swept or quiesced the host's session"
	# kill -9 of PID 1 of the namespace: its reaper dies with it.
	kill -9 "$nspid"
	wait "$ush" 2>/dev/null || true
	sleep 0.3
	[ -d "$nsinst" ] || fail "the namespaced session's leftovers are gone before any start: the sweep is not tested"
	"$SNOOP_BIN/execsnoop" -d 0.2 >/dev/null 2>"$WORK/next.err" || fail "next host start: $(cat "$WORK/next.err")"
	[ -d "$nsinst" ] && fail "the next host start left $nsinst"
	[ -n "$(session_left "$host")" ] || fail "the next host start swept the live host session"
	stop_tool "$host" INT
	[ "$BG_STATUS" = 0 ] || fail "host execsnoop: exit $BG_STATUS"
	assert_no_leftovers_of "$host"
	note "2: PID namespace: both recorded, neither swept; after kill -9 in the namespace the next host start removed $(basename "$nsinst")"
else
	note "2: skipped: unshare -p -f --mount-proc is not permitted here"
fi

# ---- 3. an instance turned off by hand -------------------------------------
start_tool off "$SNOOP_BIN/execsnoop"
off=$BG_PID
echo 0 >"$(inst_of "$off")/tracing_on"
st=0
for _ in $(seq 1 60); do kill -0 "$off" 2>/dev/null || break; sleep 0.05; done
kill -0 "$off" 2>/dev/null && fail "execsnoop still runs 3 s after its instance was turned off"
wait "$off" || st=$?
[ "$st" != 0 ] || fail "execsnoop exited 0 after its instance was turned off"
grep -q 'turned off by someone else' "$WORK/off.err" || fail "no message: $(cat "$WORK/off.err")"
assert_no_leftovers_of "$off"
note "3: instance turned off by hand: '$(grep 'turned off' "$WORK/off.err" | head -c 100)...', exit $st"

# ---- 4. the reaper ---------------------------------------------------------
start_tool rp "$SNOOP_BIN/opensnoop"
tool=$BG_PID
r=$(reaper_of "$tool") || fail "opensnoop $tool has no snoop-reaper"
[ "$(cat "/proc/$r/comm")" = snoop-reaper ] || fail "reaper comm: $(cat "/proc/$r/comm")"
tr '\0' ' ' <"/proc/$r/cmdline" | grep -q '^snoop-r' || fail "reaper cmdline: $(tr '\0' ' ' <"/proc/$r/cmdline")"
read -r -a rs <<<"$(sed 's/.*) //' "/proc/$r/stat")"   # state ppid pgrp session ...
read -r -a ts <<<"$(sed 's/.*) //' "/proc/$tool/stat")"
[ "${rs[3]}" = "$r" ] && [ "${rs[2]}" = "$r" ] || fail "the reaper is not in its own session and group: ${rs[*]:0:4}"
[ "${rs[3]}" != "${ts[3]}" ] || fail "the reaper shares the tool's session"
[ "$(stat -c %u "/proc/$r")" = "$(stat -c %u "/proc/$tool")" ] || fail "the reaper runs as another user"
if ls -l "/proc/$r/fd" | grep -q "$TRACEFS\|/instances/"; then
	fail "the reaper holds tracefs files: $(ls -l "/proc/$r/fd")"
fi
stop_tool "$tool" INT
[ "$BG_STATUS" = 0 ] || fail "opensnoop: exit $BG_STATUS"
for _ in $(seq 1 20); do [ -d "/proc/$r" ] && [ "$(awk '{print $3}' "/proc/$r/stat" 2>/dev/null)" != Z ] || break; sleep 0.05; done
[ -d "/proc/$r" ] && [ "$(awk '{print $3}' "/proc/$r/stat" 2>/dev/null)" != Z ] && fail "the reaper still runs 1 s after its tool ended"
note "4: reaper $r: comm snoop-reaper, own session and group, same user, no tracefs file; gone with its tool"

# ---- 5. a zombie owner -------------------------------------------------------
# Killed but not reaped (its parent, sleep, never waits): its files are
# closed, so its leftovers go (its reaper's pidfd says it exited).
bash -c '"$1" >/dev/null 2>"$2.err" & echo $! >"$2"; exec sleep 30' _ "$SNOOP_BIN/execsnoop" "$WORK/z.pid" &
zparent=$!
BG_PIDS+=("$zparent")
for _ in $(seq 1 100); do [ -s "$WORK/z.pid" ] && break; sleep 0.05; done
z=$(cat "$WORK/z.pid")
( wait_armed "$z" ) || fail "zombie-to-be execsnoop did not arm: $(cat "$WORK/z.pid.err")"
kill -9 "$z"
ms=$(wait_session_gone "$z" 1000)
[ "$(awk '{print $3}' "/proc/$z/stat" 2>/dev/null)" = Z ] || fail "the test did not make a zombie"
kill "$zparent"; wait "$zparent" 2>/dev/null || true
note "5: a zombie owner's leftovers removed by its reaper in $ms ms"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
