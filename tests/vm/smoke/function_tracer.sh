#!/bin/bash
# The guest kernel lets a private instance select the function tracer,
# filtered to one function, and records calls of it.
set -euo pipefail
. /snoopvm/lib.sh

require_file "$TRACEFS/available_tracers" "no tracers"
grep -qw function "$TRACEFS/available_tracers" ||
	fail "function tracer not available: $(cat "$TRACEFS/available_tracers")"
snapshot_tracefs

inst=$TRACEFS/instances/smoketest_ft
cleanup() {
	echo nop >"$inst/current_tracer" 2>/dev/null || true
	rmdir "$inst" 2>/dev/null || true
}
trap cleanup EXIT

mkdir "$inst"
tracefs_write "$inst/set_ftrace_filter" do_sys_openat2
tracefs_write "$inst/current_tracer" function
[[ $(cat "$inst/current_tracer") == function ]] || fail "current_tracer is $(cat "$inst/current_tracer")"
cat /proc/version >/dev/null
tracefs_write "$inst/tracing_on" 0
grep -qE 'cat-[0-9]+ .* do_sys_openat2 <-' "$inst/trace" || {
	tail -n 20 "$inst/trace" >&2
	fail "no do_sys_openat2 call recorded by the function tracer"
}
# The top-level instance must be untouched.
[[ $(cat "$TRACEFS/current_tracer") == nop ]] || fail "top-level current_tracer changed"

cleanup
trap - EXIT
assert_tracefs_unchanged
