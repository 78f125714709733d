#!/bin/bash
# --top fed from hist triggers: exact counts of N known calls per probe, per
# pid, per comm (a tracepoint: the kernel's execname) and per value of a
# numeric field, the same table through --user-count, --verbose saying
# which path ran, and nothing left behind.
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
[[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]] || skip "no hist triggers (CONFIG_HIST_TRIGGERS)"
snapshot_tracefs
N=100000
last_table() { awk '/^ +COUNT / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$1"; }

# Per probe: COUNT PROCS LAST PID PROBE, the count exact.
kp_start plain.txt --top -i 0.3 --verbose 'p:__do_sys_getppid' 'comm == "hist_work"'
hist_work getppid $N & p1=$!
wait $p1
nap 0.4
kp_stop plain.txt
cat plain.txt.err
grep -q -- '--top counts in the kernel' plain.txt.err || fail "--verbose does not say the kernel counted"
t=$(last_table plain.txt)
echo "$t"
grep -Eq "^ +$N +1 +$p1 +__do_sys_getppid\$" <<<"$t" || fail "expected $N hits by 1 process ($p1)"

# --by pid (pid and $comm keys) and, on a return value, --by FIELD (a
# number as kprobe prints it: getppid's value is this shell's pid).
kp_start pid.txt --top -i 0.3 --by pid 'p:__do_sys_getppid' 'comm == "hist_work"'
k1=$BG_PID
kp_start ret.txt --top -i 0.3 --verbose --by ret 'r:__do_sys_getppid ret=$retval:s32' "ret == $$"
k2=$BG_PID
hist_work getppid 777 & p1=$!
wait $p1
hist_work getppid 1234 & p2=$!
wait $p2
nap 0.4
stop_bg -p "$k1" -e 0
stop_bg -p "$k2" -e 0
grep -q -- '--top counts in the kernel' ret.txt.err || { cat ret.txt.err; fail "--by FIELD: not counted in the kernel"; }
t=$(last_table pid.txt)
echo "$t"
grep -Eq "^ +777 +$p1 hist_work +__do_sys_getppid\$" <<<"$t" || fail "--by pid: $p1 777 missing"
grep -Eq "^ +1234 +$p2 hist_work +__do_sys_getppid\$" <<<"$t" || fail "--by pid: $p2 1234 missing"
t=$(last_table ret.txt)
echo "$t"
grep -Eq "^ +2011 +2 __do_sys_getppid_ret +$$\$" <<<"$t" || fail "--by ret: expected 2011 hits by 2 tasks with value $$"

# A tracepoint by comm: the kernel's execname of the pid.
kp_start tp.txt --top -i 0.3 --by comm 't:syscalls:sys_enter_getppid'
hist_work getppid 400
hist_work getppid 600
nap 0.4
kp_stop tp.txt
t=$(last_table tp.txt)
echo "$t"
grep -Eq "^ +1000 hist_work +sys_enter_getppid\$" <<<"$t" || fail "tracepoint --by comm: expected hist_work 1000"

# --user-count: the record path, the same table, said so.
kp_start user.txt --top -i 0.3 --verbose --user-count 'p:__do_sys_getppid' 'comm == "hist_work"'
hist_work getppid 1000 & p1=$!
wait $p1
kp_stop user.txt
grep -q -- '--top counts in user space' user.txt.err || fail "--user-count: --verbose does not say user space"
grep -Eq "^ +1000 +1 +$p1 +__do_sys_getppid\$" <<<"$(last_table user.txt)" || fail "--user-count: expected 1000"
assert_tracefs_unchanged
