#!/usr/bin/env bash
# Issue 13, step 1: in a fresh root with a fresh clone, the README's first
# command alone builds and runs execsnoop: `sudo ./scripts/run execsnoop -j`
# installs the build packages, builds, and traces; an exec made after it is
# armed is reported; SIGINT ends it with exit 0; tracefs is as before.
# Then, with only the build packages there, a by-hand `cmake` build works
# and says in one line that the tests are off and what turns them on.
# Leaves the root in build/fresh/a for the next steps (unit.sh, package.sh).
. "$(dirname "$0")/lib.sh"

root=$FRESH_DIR/a
fresh_root_tar
fresh_step unpack "tar -xf $FRESH_TAR -C $root" fresh_unpack "$root"
fresh_step clone "git clone $SNOOP_SRC $FRESH_HOME" fresh_clone "$root"

snapshot_tracefs "$WORK/before"
marker=snoopkit-fresh-$$-$RANDOM
fresh_marker_make "$marker"
what="cd $FRESH_HOME && sudo ./scripts/run execsnoop -j"
log=$FRESH_LOGS/$TEST_NAME.run.log
echo "fresh: run: $what"
start=$(_fresh_now)
fresh_chroot "$root" bash -c "cd $FRESH_HOME && exec sudo ./scripts/run execsnoop -j" \
	>"$WORK/run.out" 2>"$log" &
bg=$!
BG_PIDS+=("$bg")
show_fail() {
	echo "fresh: run: FAILED after $(_fresh_secs "$start") s; last lines of $log:"
	fresh_tail "$log"
	echo "fresh: its last lines of output:"
	fresh_tail "$WORK/run.out" 10
	fail "$*"
}
pid=$(fresh_tool_pid "$root" execsnoop "$bg") || show_fail "execsnoop never started a session"
BG_PIDS+=("$pid")
( wait_armed "$pid" ) || show_fail "execsnoop (PID $pid) did not arm"
echo "fresh: run: armed after $(_fresh_secs "$start") s (packages, build and start)"

fresh_marker_seen "$WORK/run.out" "$marker" ||
	show_fail "an exec after arming ($WORK/$marker 1) is not in execsnoop's output"
kill -INT "$pid"
status=0
wait "$bg" || status=$?
[ "$status" = 0 ] || show_fail "exit $status after SIGINT (want 0)"
echo "fresh: run: ok in $(_fresh_secs "$start") s: the exec was reported, exit 0 on SIGINT"
assert_json_lines "$WORK/run.out"
grep -F "$marker" "$WORK/run.out" | head -n 1 | cat -v

snapshot_tracefs "$WORK/after"
fresh_assert_tracefs_kept "$WORK/before" "$WORK/after"
assert_no_leftovers_of "$pid"
note "tracefs as before"

fresh_step by-hand "cmake -S . -B /tmp/by-hand && cmake --build /tmp/by-hand" \
	fresh_chroot "$root" bash -c "cd $FRESH_HOME && cmake -S . -B /tmp/by-hand && cmake --build /tmp/by-hand -j$(nproc)"
log=$FRESH_LOGS/$TEST_NAME.by-hand.log
n=$(grep -c 'tests are off' "$log" || true)
[ "$n" = 1 ] || { fresh_tail "$log"; fail "by-hand configure: $n lines say the tests are off (want 1)"; }
grep 'tests are off' "$log" | grep -q libcmocka-dev || fail "the tests-off line does not name libcmocka-dev"
[ -x "$root/tmp/by-hand/bin/execsnoop" ] || fail "by-hand build made no bin/execsnoop"
grep 'tests are off' "$log"
