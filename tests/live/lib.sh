# shellcheck shell=bash
# Shared helpers of the live tests (this machine's kernel). Source it:
#   . "$(dirname "$0")/lib.sh"
# Environment from ctest: SNOOP_BIN (build/bin), SNOOP_SRC, SNOOP_BUILD.
set -euo pipefail

SNOOP_BIN=${SNOOP_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}
TRACEFS=/sys/kernel/tracing
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "/tmp/snoop-live-$TEST_NAME.XXXXXX")
BG_PIDS=()

# The reapers (lib/reaper.c) running before this test: any other one still
# there at the end, once the test's tools are gone, is a stray process.
REAPERS_BEFORE=" $( (pgrep -x snoop-reaper || true) | tr '\n' ' ') "
stray_reapers() {
	local p
	for p in $(pgrep -x snoop-reaper || true); do
		[[ $REAPERS_BEFORE == *" $p "* ]] || [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] ||
			echo "$p"
	done
}
# assert_no_stray_reapers [MS]: give them MS ms (default 1000) to exit.
assert_no_stray_reapers() {
	local i left
	for i in $(seq 1 $(( ${1:-1000} / 50 ))); do
		left=$(stray_reapers)
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	fail "snoop-reaper process(es) still running after the test: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo " (PID $p)"; done)"
}

cleanup_live() {
	local p rc=$?
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
	# A test that passed must not leave a reaper behind: its tools are
	# gone (ended, or killed just above: then their reapers clean up and
	# have a second to finish). A step that runs no tool and so does not
	# take the tracefs lock (SNOOP_NO_REAPER_CHECK=1: fresh/root,
	# fresh/package) cannot tell its reapers from those of the tests that
	# run beside it, and has none of its own.
	if [ "$rc" = 0 ] && [ "${SNOOP_NO_REAPER_CHECK:-0}" != 1 ]; then
		assert_no_stray_reapers
	fi
}
trap cleanup_live EXIT

fail() { echo "FAIL [$TEST_NAME]: $*" >&2; exit 1; }
skip() { echo "SKIP [$TEST_NAME]: $*" >&2; exit 77; }
note() { echo "[$TEST_NAME] $*"; }

[ "$(id -u)" = 0 ] || skip "needs root (tracefs)"
if [ ! -e "$TRACEFS/trace" ]; then
	mount -t tracefs nodev "$TRACEFS" 2>/dev/null || skip "tracefs not available"
fi

# Is PID alive and a snoopkit tool? For filtering other sessions that run at
# the same time out of the snapshots: sessions of the old grammar
# (snoop_<tool>_<pid>, other checkouts on a shared machine) by their
# program; the current grammar's (snoop_<tool>_<token>_<pid>) by
# _session_live below.
_owner_live() {
	local pid=$1
	[ -d "/proc/$pid" ] || return 1
	grep -qaE '(^|/)(execsnoop|opensnoop|kprobe|functrace)(\x00|$)' "/proc/$pid/cmdline" 2>/dev/null ||
		grep -qxE 'execsnoop|opensnoop|kprobe|functrace' "/proc/$pid/comm" 2>/dev/null
}

# The tracefs state this suite promises to leave as it found it: instances,
# dynamic events, top-level tracer/filters/events. Entries of *other* live
# snoopkit sessions are left out, so that tests can run beside them.
# Is the session SID (token_pid) alive? Its instance exists and a process
# visible here holds a file of it open (what the sweep's EBUSY says).
_session_live() {
	local sid=$1 d
	for d in "$TRACEFS"/instances/snoop_*_"$sid"; do
		[ -d "$d" ] || continue
		ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q "/instances/${d##*/}/" && return 0
	done
	return 1
}

snapshot_tracefs() {
	local out=$1 name pid line
	{
		echo "# instances"
		for name in $(ls "$TRACEFS/instances" | sort); do
			if [[ $name =~ ^snoop_[a-z-]+_([0-9a-f]{8}_([0-9]+))$ ]]; then
				pid=${BASH_REMATCH[2]}
				_session_live "${BASH_REMATCH[1]}" && [ "$pid" != "${SNAP_TARGET_PID:-}" ] && continue
			elif [[ $name =~ ^snoop_[a-z-]+_([0-9]+)$ ]]; then
				pid=${BASH_REMATCH[1]}
				_owner_live "$pid" && [ "$pid" != "${SNAP_TARGET_PID:-}" ] && continue
			elif [[ $name =~ _([0-9]+)$ ]] && [ -d "/proc/${BASH_REMATCH[1]}" ] &&
				[ "${BASH_REMATCH[1]}" != "${SNAP_TARGET_PID:-}" ]; then
				# another live program's per-PID instance (a benchmark's
				# floor, a second test run): not ours to compare
				continue
			fi
			echo "$name"
		done
		echo "# dynamic_events"
		while IFS= read -r line; do
			if [[ $line =~ ^[^:]*:snoop_([0-9a-f]{8}_([0-9]+))/ ]]; then
				pid=${BASH_REMATCH[2]}
				_session_live "${BASH_REMATCH[1]}" && [ "$pid" != "${SNAP_TARGET_PID:-}" ] && continue
			elif [[ $line =~ ^[^:]*:snoop_([0-9]+)/ ]]; then
				pid=${BASH_REMATCH[1]}
				_owner_live "$pid" && [ "$pid" != "${SNAP_TARGET_PID:-}" ] && continue
			fi
			echo "$line"
		done < <(cat "$TRACEFS/dynamic_events" 2>/dev/null; cat "$TRACEFS/uprobe_events" 2>/dev/null) | sort -u
		echo "# top level"
		for f in current_tracer tracing_on set_event set_event_pid set_ftrace_filter set_ftrace_notrace buffer_size_kb trace_clock; do
			# (lockdown makes some of them unreadable: that is stable too)
			[ -e "$TRACEFS/$f" ] && echo "$f: $(head -c 4096 "$TRACEFS/$f" 2>/dev/null | tr '\n' ' ' || echo '(unreadable)')"
		done
		grep -l . "$TRACEFS"/events/*/*/filter 2>/dev/null | sort | sed 's/^/filter: /' || true
	} > "$out"
}

assert_tracefs_same() {
	local before=$1 after=$2
	if ! diff -u "$before" "$after" >&2; then
		fail "tracefs state changed (diff above)"
	fi
}

assert_no_leftovers_of() {
	local pid=$1
	if ls "$TRACEFS/instances" | grep -qE "^snoop_[a-z-]+_[0-9a-f]{8}_${pid}\$"; then
		fail "instance of PID $pid left behind: $(ls "$TRACEFS/instances" | grep "_${pid}\$")"
	fi
	if grep -qE "^[^:]*:snoop_[0-9a-f]{8}_${pid}/" "$TRACEFS/dynamic_events" 2>/dev/null; then
		fail "dynamic events of PID $pid left behind"
	fi
}

# Wait until a tool started in the background has armed its probes. A new
# instance starts with tracing on, so that alone says nothing: libsnoop
# turns it off, sets the instance's clock to mono, enables the events and
# only then turns tracing on again. mono clock + tracing on = armed.
wait_armed() {
	local pid=$1 i
	for i in $(seq 1 600); do
		local d
		d=$(ls -d "$TRACEFS"/instances/snoop_*_"$pid" 2>/dev/null || true)
		if [ -n "$d" ] && grep -q '\[mono\]' "$d/trace_clock" 2>/dev/null &&
			[ "$(cat "$d/tracing_on" 2>/dev/null)" = 1 ]; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || fail "tool PID $pid died before arming"
		sleep 0.05
	done
	fail "tool PID $pid did not arm within 30 s"
}

# Start TOOL ARGS... in the background with stdout/stderr to $WORK/NAME.out/.err;
# sets BG_PID. Waits until it is armed.
start_tool() {
	local name=$1; shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
	( wait_armed "$BG_PID" ) || fail "$name: $* did not arm; its stderr: $(cat "$WORK/$name.err")"
}

# Send a signal and wait; sets BG_STATUS.
stop_tool() {
	local pid=$1 sig=${2:-INT}
	kill -s "$sig" "$pid"
	BG_STATUS=0
	wait "$pid" || BG_STATUS=$?
}

# Check that every line of a file is a JSON object (python3's parser).
assert_json_lines() {
	python3 - "$1" <<'PY' || fail "invalid JSON in $1"
import json, sys
n = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="surrogateescape")):
    obj = json.loads(line)
    assert isinstance(obj, dict), f"line {i+1} is not an object"
    n += 1
print(f"{n} JSON lines ok")
PY
}

# reaper_of PID: the snoop-reaper watching tool PID (the one holding a
# pidfd of it, as /proc/R/fdinfo says). Fails when there is none.
reaper_of() {
	local r f
	for r in $(pgrep -x snoop-reaper || true); do
		for f in /proc/"$r"/fdinfo/*; do
			grep -qx "Pid:[[:space:]]*$1" "$f" 2>/dev/null && { echo "$r"; return 0; }
		done
	done
	return 1
}

# session_left PID: prints what a session of PID still has in tracefs.
session_left() {
	ls "$TRACEFS/instances" | grep -E "^snoop_[a-z-]+_[0-9a-f]{8}_$1\$" || true
	grep -E "^[^:]*:snoop_[0-9a-f]{8}_$1/" "$TRACEFS/dynamic_events" 2>/dev/null || true
}

# wait_session_gone PID MS: until nothing of PID's session is left; prints
# the milliseconds it took, fails after MS.
wait_session_gone() {
	local t0 ms
	t0=$(date +%s%N)
	while :; do
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ -z "$(session_left "$1")" ] && { echo "$ms"; return 0; }
		[ "$ms" -gt "$2" ] && fail "PID $1's leftovers still there after $ms ms: $(session_left "$1")"
		sleep 0.01
	done
}

# SIGPIPE: TOOL ARGS... writes to a reader that goes away after the first
# line (the header); POKE (a command) makes events for it to write about.
# Fails unless the tool ends with status 0. Sets nothing.
assert_sigpipe_ends() {
	local poke=$1; shift
	( "$@" 2>"$WORK/pipe.err"; echo $? >"$WORK/pipe.status" ) | head -n 1 >"$WORK/pipe.out" &
	local hpid=$! i
	for i in $(seq 1 100); do
		[ -s "$WORK/pipe.out" ] && break
		sleep 0.05
	done
	# The tool notices the closed pipe at its next write.
	for i in $(seq 1 40); do $poke; sleep 0.05; [ -s "$WORK/pipe.status" ] && break; done
	wait $hpid || true
	[ -s "$WORK/pipe.status" ] || fail "$1 did not end after its reader went away"
	[ "$(cat "$WORK/pipe.status")" = 0 ] || fail "SIGPIPE: exit status $(cat "$WORK/pipe.status")"
}

# kill -9 of TOOL (started with ARGS...) and of its reaper leaves its
# instance; the next start of the same tool (-d 0.2) removes it. (kill -9 of
# the tool alone is the reaper's case: reliability_cleanup.)
assert_kill9_swept() {
	local pid reaper
	start_tool k9 "$@"
	pid=$BG_PID
	reaper=$(reaper_of "$pid") || fail "no snoop-reaper watches $1 ($pid)"
	kill -9 "$reaper" "$pid"; wait "$pid" 2>/dev/null || true
	[ -n "$(session_left "$pid")" ] ||
		fail "kill -9 left nothing: the test cannot see the sweep"
	"$1" -d 0.2 >/dev/null 2>"$WORK/sweep.err" || fail "next start failed: $(cat "$WORK/sweep.err")"
	assert_no_leftovers_of "$pid"
}

# For each stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT): start TOOL ARGS...,
# run POKE (a command), send the signal; the tool must exit 0 and leave
# tracefs as $WORK/before (snapshot_tracefs) has it.
assert_stop_signals_clean() {
	local poke=$1 sig pid; shift
	for sig in INT TERM HUP QUIT; do
		start_tool "sig$sig" "$@"
		pid=$BG_PID
		$poke
		stop_tool "$pid" "$sig"
		[ "$BG_STATUS" = 0 ] || fail "SIG$sig: exit status $BG_STATUS: $(cat "$WORK/sig$sig.err")"
		assert_no_leftovers_of "$pid"
		snapshot_tracefs "$WORK/after"
		assert_tracefs_same "$WORK/before" "$WORK/after"
		note "SIG$sig: clean, exit 0"
	done
}

# cgroup_v2_pair PREFIX: two new cgroups in the v2 hierarchy for a test,
# $CGV2/$A and $CGV2/$B (A=PREFIX-PID-a, B=...-b; skips without v2), removed
# at the end with the tasks left in them killed.
cgroup_v2_pair() {
	local mnt fs
	CGV2=
	while read -r _ mnt fs _; do
		[ "$fs" = cgroup2 ] && { CGV2=$mnt; break; }
	done </proc/mounts
	[ -n "$CGV2" ] || skip "no cgroup v2 hierarchy mounted"
	A=$1-$$-a
	B=$1-$$-b
	mkdir "$CGV2/$A" "$CGV2/$B" 2>/dev/null || skip "cannot create cgroups under $CGV2"
	# (set +e: a failed cleanup step must not skip cleanup_live)
	trap 'rc=$?; set +e; _cgroup_v2_pair_rm; (exit $rc); cleanup_live' EXIT
}
_cgroup_v2_pair_rm() {
	local d p
	for d in "$CGV2/$A" "$CGV2/$B"; do
		[ -d "$d" ] || continue
		while read -r p; do
			kill -9 "$p" 2>/dev/null || true
		done <"$d/cgroup.procs"
		for _ in $(seq 1 50); do rmdir "$d" 2>/dev/null && break; sleep 0.02; done
	done
}
