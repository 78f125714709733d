#!/bin/bash
# -s: the kernel stack of each call (options/func_stack_trace in the
# instance), in text and JSON; the option is put back.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
# -s: each call followed by its stack, the syscall entry in it.
opener_start 1 0
ft_start out2.txt -s -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out2.txt
cat out2.txt >&2
grep -qE "^ft_opener +$OPENER .* do_sys_openat2 <- " out2.txt || fail "no call line with -s"
grep -qE $'^\t=> ' out2.txt || fail "no stack lines"
grep -qE $'^\t=> .*'"($KSYSCALL_ENTRY)" out2.txt || fail "stack without the syscall entry"
! grep -q 0x7fffffff out2.txt || fail "the ftrace trampoline marker shown as an address"
opener_start 1 0
ft_start out2.json -s -j -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out2.json
json_check out2.json "len(rows) == 1 and any(__import__('re').search('$KSYSCALL_ENTRY', f) for f in rows[0]['stack'])"
ft_assert_clean
# The stack option is put back (one flag for all instances on 6.1 and 6.12).
[[ $(cat "$TRACEFS/options/func_stack_trace") == 0 ]] || fail "options/func_stack_trace left on"
