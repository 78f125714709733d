#!/bin/bash
# kprobe --hist through hist triggers: reads of 1, 100 and 10000 bytes land
# in their log2 and linear buckets, per comm too; a signed field's negative
# values are counted apart; refusals; nothing left.
# vm-timeout: 120
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_events" "no kprobe events"
[[ -e $TRACEFS/events/syscalls/sys_enter_read/hist ]] || skip "no hist triggers (CONFIG_HIST_TRIGGERS)"
snapshot_tracefs

reads() {
	"${1:-hist_work}" read 1 5
	"${1:-hist_work}" read 100 7
	"${1:-hist_work}" read 10000 9
}

# log2: 1 in 2^0, 100 in (64, 128] = 2^7, 10000 in (8192, 16384] = 2^14.
kp_start log2.json --verbose -j --hist cnt 'p:ksys_read cnt=arg3:u64' 'comm == "hist_work"'
reads
kp_stop log2.json
cat log2.json log2.json.err
grep -q 'histogram in the kernel' log2.json.err || fail "--verbose does not say the kernel made the histogram"
json_check log2.json 'r = rows[-1]; assert r["final"] and r["scale"] == "log2" and dict(zip(r["log2"], r["count"])) == {**{e: 0 for e in range(15)}, 0: 5, 7: 7, 14: 9}'

# The text table: rows of range, count, bar.
kp_start log2.txt --hist cnt 'p:ksys_read cnt=arg3:u64' 'comm == "hist_work"'
reads
kp_stop log2.txt
cat log2.txt
grep -Eq '^\[0, 1\] +5 \|@+ *\|$' log2.txt || fail "no [0, 1] row of 5"
grep -Eq '^\[65, 128\] +7 \|@+ *\|$' log2.txt || fail "no [65, 128] row of 7"
grep -Eq '^\[8193, 16384\] +9 \|@{40}\|$' log2.txt || fail "no [8193, 16384] row of 9 with the full bar"

# Linear buckets of 50 from 0 to 200, per comm.
cp "$(command -v hist_work)" /tmp/hist_other
kp_start lin.json -j --by comm --hist cnt --linear 0,200,50 'p:ksys_read cnt=arg3:u64' 'comm ~ "hist_*"'
reads
reads /tmp/hist_other
/tmp/hist_other read 60 2
kp_stop lin.json
cat lin.json
json_check lin.json 'h = {r["comm"]: r for r in rows}; assert (h["hist_work"]["lo"], h["hist_work"]["count"], h["hist_work"]["above"]) == ([0, 50, 100], [5, 0, 7], 9) and (h["hist_other"]["count"], h["hist_other"]["above"]) == ([5, 2, 7], 9)'

# A signed field: EBADF's negative return values are their own row.
kp_start ret.txt --hist ret 'r:ksys_read ret=retval:s64' 'comm == "hist_work"'
hist_work badread 4
hist_work read 100 3
kp_stop ret.txt
cat ret.txt
grep -Eq '^< 0 +4 ' ret.txt || fail "no '< 0' row of 4"
grep -Eq '^\[65, 128\] +3 ' ret.txt || fail "no [65, 128] row of 3"

expect_refusal "a string field" 'is not a number' --hist path -d 1 'p:do_sys_openat2 path=+0(arg2):ustring'
expect_refusal "no such field" 'has no field nope' --hist nope -d 1 'p:ksys_read cnt=arg3:u64'
assert_tracefs_unchanged
