#!/bin/bash
# kprobe -c -s: hits per kernel stack through a hist trigger; the stack of
# N getppid calls names the syscall entry (do_syscall_64, el0_svc) with
# exactly N; --folded
# and -j; nothing left.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
[[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]] || skip "no hist triggers (CONFIG_HIST_TRIGGERS)"
snapshot_tracefs

kp_start st.txt -c -s "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid 4321
kp_stop st.txt
cat st.txt
grep -q "^$KGETPPID: 4321 hits" st.txt || fail "no total of 4321 hits"
# The stack that holds them: the function, then its callers, then the count.
awk '/^  / {s = s $1 " "} /^    [0-9]+$/ {print $1, s; s = ""}' st.txt >stacks.txt
cat stacks.txt
grep -Eq "^4321 $KGETPPID\\+0x[0-9a-f]+/0x[0-9a-f]+ .*($KSYSCALL_ENTRY)\\+" stacks.txt ||
	fail "no stack $KGETPPID ... ($KSYSCALL_ENTRY) with 4321"

kp_start fold.txt -c -s --folded "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid 777
kp_stop fold.txt
cat fold.txt
grep -Eq "^$KGETPPID;.*($KSYSCALL_ENTRY);(.*;)?$KGETPPID 777\$" fold.txt || fail "--folded: no root-first line of 777"

kp_start st.json -c -s -j "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid 55
kp_stop st.json
json_check st.json 'assert [r["count"] for r in rows] == [55], rows; assert rows[0]["stack"][0].startswith("'"$KGETPPID"'+"), rows'
assert_tracefs_unchanged
