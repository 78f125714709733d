#!/bin/bash
# snoop-reset --all: without a terminal and without --force it refuses
# (exit 1) and the running tools keep tracing; with --force each process
# that holds a snoopkit instance open (found by its open files, not by its
# name: strangesnoop is in no list) is ended with SIGTERM, cleans up after
# itself (exit 0) and nothing of theirs is left; a foreign instance and a
# process whose argv merely names a tool are untouched. -l lists, removes
# nothing.
. "$(dirname "$0")/lib.sh"
RESET=$SNOOP_BIN/snoop-reset
[ -x "$RESET" ] || skip "no snoop-reset in $SNOOP_BIN"
mkdir "$TRACEFS/instances/not_snoop_$$"
trap 'rmdir "$TRACEFS/instances/not_snoop_$$" 2>/dev/null; cleanup_live' EXIT
snapshot_tracefs "$WORK/before"

start_tool es "$SNOOP_BIN/execsnoop"
es=$BG_PID
start_tool os "$SNOOP_BIN/opensnoop"
os=$BG_PID
start_tool ss "$SNOOP_BIN/strangesnoop"
ss=$BG_PID
# Names a tool in its argv, holds nothing: must not be signalled.
bash -c 'sleep 1000' kprobe &
decoy=$!
BG_PIDS+=("$decoy")

"$RESET" -l >"$WORK/list.out" 2>&1 || fail "snoop-reset -l: $(cat "$WORK/list.out")"
grep -qE "instance snoop_execsnoop_[0-9a-f]{8}_$es: held open by PID $es\$" "$WORK/list.out" ||
	fail "-l: $(cat "$WORK/list.out")"
grep -qE "instance snoop_strangesnoop_[0-9a-f]{8}_$ss: held open by PID $ss\$" "$WORK/list.out" ||
	fail "-l: $(cat "$WORK/list.out")"

st=0
"$RESET" --all </dev/null >"$WORK/ask.out" 2>&1 || st=$?
[ "$st" = 1 ] || fail "--all without a terminal or --force: exit $st: $(cat "$WORK/ask.out")"
grep -q 'use --force' "$WORK/ask.out" || fail "--all: no hint: $(cat "$WORK/ask.out")"
kill -0 "$es" && kill -0 "$os" && kill -0 "$ss" || fail "a refused --all stopped a tool"
[ -n "$(session_left "$es")" ] || fail "a refused --all removed an instance"

"$RESET" --all --force >"$WORK/all.out" 2>&1 || fail "--all --force: $(cat "$WORK/all.out")"
for p in "$es" "$os" "$ss"; do
	grep -q "ended PID $p " "$WORK/all.out" || fail "--all --force did not end $p: $(cat "$WORK/all.out")"
	st=0
	wait "$p" || st=$?
	[ "$st" = 0 ] || fail "tool $p exited $st after snoop-reset's SIGTERM"
	assert_no_leftovers_of "$p"
done
kill -0 "$decoy" || fail "snoop-reset --all signalled a process that only named a tool in its argv"
kill -9 "$decoy"
[ -d "$TRACEFS/instances/not_snoop_$$" ] || fail "snoop-reset --all removed a foreign instance"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok: --all refused without --force, then ended 3 holders (one no list names) that cleaned up themselves; a decoy untouched"
