#!/bin/bash
# kprobe -c through hist triggers: exact counts of N known calls (plain, --by
# comm, --by pid, a tracepoint by comm), the user-space path on request, and
# no trigger, probe or instance left.
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
[[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]] || skip "no hist triggers (CONFIG_HIST_TRIGGERS)"
snapshot_tracefs
N=200000

# Plain count: one row, exactly N. The filter keeps other tasks' getppid out.
kp_start plain.txt -c --verbose "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid $N
kp_stop plain.txt
cat plain.txt plain.txt.err
grep -q 'counting in the kernel' plain.txt.err || fail "--verbose does not say the kernel counted"
grep -Eq "^$KGETPPID +$N\$" plain.txt || fail "expected exactly $N"

# --by comm (the probe's __comm) and --by pid, JSON: the same numbers.
cp "$(command -v hist_work)" /tmp/hist_other
kp_start bycomm.json -c -j --by comm "p:$KGETPPID"
hist_work getppid 3000
/tmp/hist_other getppid 5000
kp_stop bycomm.json
json_check bycomm.json '{r["comm"]: r["count"] for r in rows if r["comm"] in ("hist_work", "hist_other")} == {"hist_work": 3000, "hist_other": 5000}'

kp_start bypid.txt -c --by pid "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid 777 & p1=$!
wait $p1
hist_work getppid 1234 & p2=$!
wait $p2
kp_stop bypid.txt
cat bypid.txt
grep -Eq "^$KGETPPID +$p1 +777\$" bypid.txt || fail "--by pid: $p1 777 missing"
grep -Eq "^$KGETPPID +$p2 +1234\$" bypid.txt || fail "--by pid: $p2 1234 missing"

# A tracepoint has no __comm: by common_pid.execname, summed per name.
kp_start tp.txt -c --by comm 't:syscalls:sys_enter_getppid'
hist_work getppid 400
hist_work getppid 600
kp_stop tp.txt
cat tp.txt
grep -Eq "^sys_enter_getppid +hist_work +1000\$" tp.txt || fail "tracepoint --by comm: expected hist_work 1000"

# Intervals: the rows of all intervals add up to N.
kp_start iv.json -c -j -i 0.2 "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid $N
nap 0.5
hist_work getppid $N
kp_stop iv.json
json_check iv.json "sum(r['count'] for r in rows) == 2 * $N and len(rows) >= 3"

# --user-count: the record path, said so.
kp_start user.txt -c --verbose --user-count "p:$KGETPPID" 'comm == "hist_work"'
hist_work getppid 1000
kp_stop user.txt
cat user.txt.err
grep -q 'counting in user space' user.txt.err || fail "--user-count: --verbose does not say user space"
grep -Eq "^$KGETPPID +1000\$" user.txt || fail "--user-count: expected 1000"
assert_tracefs_unchanged
