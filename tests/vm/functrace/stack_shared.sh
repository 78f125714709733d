#!/bin/bash
# options/func_stack_trace is one flag for every instance on 6.1 and 6.12:
# functrace -s and plain functrace leave another tracer's setting as they
# found it (a foreign instance that records stacks keeps them), -s says so
# when it turns the shared flag on, and turns it off again at the end.
# vm-timeout: 120
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
opt=options/func_stack_trace
fi=$TRACEFS/instances/foreign_ft
foreign_off() {
	[[ -d $fi ]] || return 0
	echo nop >"$fi/current_tracer" 2>/dev/null || true
	echo 0 >"$fi/$opt" 2>/dev/null || true
	rmdir "$fi" 2>/dev/null || true
}
trap foreign_off EXIT

# Another tracer: an instance of its own, the function tracer on
# do_sys_openat2 with a stack per call.
mkdir "$fi"
tracefs_write "$fi/set_ftrace_filter" do_sys_openat2
tracefs_write "$fi/$opt" 1
tracefs_write "$fi/current_tracer" function
shared=0
[[ $(cat "$TRACEFS/$opt") == 1 ]] && shared=1
note "func_stack_trace shared between instances: $shared ($(uname -r))"
foreign_stacks() { # count the foreign instance's stacks for one open
	echo >"$fi/trace"
	cat /proc/version >/dev/null
	grep -c '<stack trace>' "$fi/trace" || true
}
(($(foreign_stacks) > 0)) || fail "the foreign instance records no stacks"

# functrace -s while the flag is on: it needs not write it, and must not
# turn it off at the end.
opener_start 1 0
ft_start s.txt -s -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop s.txt
grep -qE $'^\t=> ' s.txt || { cat s.txt s.txt.err >&2; fail "functrace -s printed no stack"; }
[[ $(cat "$fi/$opt") == 1 ]] || fail "functrace -s turned the foreign instance's func_stack_trace off"
(($(foreign_stacks) > 0)) || fail "the foreign instance lost its stacks after functrace -s"
assert_no_snoop_leftovers

# Plain functrace while the flag is on: no stacks printed, a clear warning
# where the flag is shared, the flag left on.
opener_start 2 0
ft_start p.txt -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop p.txt
cat p.txt.err >&2
n=$(grep -cE "^ft_opener +$OPENER .* do_sys_openat2 <- " p.txt || true)
((n == 2)) || { cat p.txt >&2; fail "plain functrace: $n calls, expected 2"; }
! grep -qE $'^\t=> ' p.txt || fail "plain functrace printed stacks"
if ((shared)); then
	grep -q 'options/func_stack_trace is on: another tracer turned it on' p.txt.err ||
		fail "no warning about the shared func_stack_trace"
fi
[[ $(cat "$fi/$opt") == 1 ]] || fail "plain functrace turned the foreign instance's func_stack_trace off"
(($(foreign_stacks) > 0)) || fail "the foreign instance lost its stacks after plain functrace"
assert_no_snoop_leftovers

# The flag off: -s turns it on (where shared, the foreign instance sees it
# and functrace says so) and off again at the end.
tracefs_write "$fi/current_tracer" nop
tracefs_write "$fi/$opt" 0
opener_start 1 0
ft_start s2.txt -s -p "$OPENER" do_sys_openat2
during=$(cat "$fi/$opt")
opener_run
sleep 1
ft_stop s2.txt
cat s2.txt.err >&2
grep -qE $'^\t=> ' s2.txt || fail "functrace -s printed no stack"
if ((shared)); then
	[[ $during == 1 ]] || fail "shared flag, but the foreign instance read $during during -s"
	grep -q -- '-s: options/func_stack_trace is one flag for every tracefs instance' s2.txt.err ||
		fail "no warning that -s turns on a shared flag"
else
	! grep -q 'one flag for every tracefs instance' s2.txt.err || fail "warned of a shared flag that is not"
fi
[[ $(cat "$fi/$opt") == 0 && $(cat "$TRACEFS/$opt") == 0 ]] || fail "func_stack_trace left on after -s"

foreign_off
trap - EXIT
ft_assert_clean
