#!/bin/bash
# The guest kernel has kprobe events: a kprobe on do_sys_openat2 in our own
# dynamic-event group, enabled in a private instance, sees our open().
set -euo pipefail
. /snoopvm/lib.sh

require_file "$TRACEFS/dynamic_events" "no dynamic events"
snapshot_tracefs

inst=$TRACEFS/instances/smoketest
cleanup() {
	echo 0 >"$inst/events/smoketest/enable" 2>/dev/null || true
	rmdir "$inst" 2>/dev/null || true
	echo '-:smoketest/o' >>"$TRACEFS/dynamic_events" 2>/dev/null || true
}
trap cleanup EXIT

tracefs_write dynamic_events "p:smoketest/o do_sys_openat2 dfd=$(kreg 1):s32" --append
grep -q '^p:smoketest/o do_sys_openat2' "$TRACEFS/dynamic_events" ||
	fail "kprobe not listed in dynamic_events: $(cat "$TRACEFS/dynamic_events")"
mkdir "$inst"
tracefs_write "$inst/events/smoketest/o/enable" 1
touch marker
cat marker >/dev/null
tracefs_write "$inst/events/smoketest/o/enable" 0

# Our own cat (the open was a few lines up) must be in the instance's trace.
grep -E 'cat-[0-9]+ .*o: \(do_sys_openat2\+0x0/0x[0-9a-f]+\) dfd=-100' "$inst/trace" >/dev/null || {
	echo "--- instance trace:" >&2
	tail -n 20 "$inst/trace" >&2
	fail "no kprobe hit of cat's open in the instance trace"
}
# ...and nothing leaked into the top-level buffer.
! grep -q 'smoketest' "$TRACEFS/trace" || fail "the kprobe fired into the top-level buffer"

cleanup
trap - EXIT
assert_tracefs_unchanged
