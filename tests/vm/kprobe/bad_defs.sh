#!/bin/bash
# Refused definitions and filters: exit 64, a caret under the offending
# part, and nothing left in tracefs.
# vm-timeout: 60
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs

# The kernel's own refusal (an unknown register), with its caret.
expect_refusal "bad register" 'kprobe: +\^' 'p:do_sys_openat2 x=%nosuchreg'
grep -q 'refused probe' bad.err || fail "no 'refused probe' line"
# Ours, before anything is written.
expect_refusal "unknown function" "not in available_filter_functions" 'p:no_such_function_kp'
expect_refusal "bad type" "unknown type" 'p:do_sys_openat2 x=%di:u7'
expect_refusal "removal" "removes events" -- '-:kprobes/foo'
expect_refusal "bad filter" "invalid filter" 'p:do_sys_openat2 dfd=arg1:s32' 'nosuchfield == 1'
expect_refusal "bad BTF member" "has no member" 'p:do_sys_openat2 how->nosuch'
