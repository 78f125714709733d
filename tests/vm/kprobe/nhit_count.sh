#!/bin/bash
# kprobe -c through the kernel's hit counter (kprobe_profile): a plain
# p:/r: count is armed by a trigger that never fires (traceoff:0), which
# soft-enables the probe and builds no record. Exact counts of N known
# calls (one probe, two probes, and two sessions with a same-named probe at
# once: counts must not mix); nothing reaches the ring buffer and tracing_on
# stays on; --exclude-self takes the hist path; kill -9 leaves nothing after
# the reaper, nor after snoop-reset.
# vm-timeout: 90
set -euo pipefail
. "$(dirname "$0")/helpers.bash"
require_file "$TRACEFS/kprobe_profile" "no kprobe_profile"
snapshot_tracefs
N=100000
top_on=$(<"$TRACEFS/tracing_on")

# One probe: exactly N, -v names the path, the event only soft-enabled
# (enable 0*), nothing in the instance's ring buffer, tracing_on still 1.
kp_start plain.txt -c --verbose "p:$KGETPPID"
d=$(snoop_instance_of "$BG_PID")
hist_work getppid $N
en=$(cat "$d"/events/snoop_*/*/enable)
[[ $en == '0*' ]] || fail "the probe's enable reads '$en', expected soft mode 0*"
grep -q '^traceoff:count=0' "$d"/events/snoop_*/*/trigger || fail "no traceoff:0 trigger: $(cat "$d"/events/snoop_*/*/trigger)"
entries=$(awk '/^entries:/ {n += $2} END {print n + 0}' "$d"/per_cpu/cpu*/stats)
[[ $entries == 0 ]] || fail "$entries records reached the ring buffer"
[[ $(<"$d/tracing_on") == 1 ]] || fail "the instance's tracing_on went off"
kp_stop plain.txt
cat plain.txt plain.txt.err
grep -q "kernel: its hit counter (kprobe_profile)" plain.txt.err || fail "--verbose does not say the hit counter counted"
grep -Eq "^$KGETPPID +$N\$" plain.txt || fail "expected exactly $N"
[[ $(<"$TRACEFS/tracing_on") == "$top_on" ]] || fail "the top instance's tracing_on changed"

# Two probes (entry and return), JSON, intervals: each adds up to N.
kp_start two.json -c -j -i 0.2 -e "p:$KGETPPID" -e "r:$KGETPPID"
hist_work getppid $N
nap 0.3
hist_work getppid 5000
kp_stop two.json
json_check two.json "len(set(r['event'] for r in rows)) == 2 and all(sum(r['count'] for r in rows if r['event'] == e) == $N + 5000 for e in set(r['event'] for r in rows))"

# Two sessions, the same probe name: each counts only its own hits.
kp_start a.txt -c "p:$KGETPPID"
ka=$BG_PID
kp_start b.txt -c "p:$KGETPPID"
kb=$BG_PID
hist_work getppid 3000
[[ $(grep -c "^ *${KGETPPID}_" "$TRACEFS/kprobe_profile") == 2 ]] || fail "two sessions' probes not apart in kprobe_profile: $(cat "$TRACEFS/kprobe_profile")"
stop_bg -p "$kb" -e 0
hist_work getppid 2000
stop_bg -p "$ka" -e 0
cat a.txt b.txt
grep -Eq "^$KGETPPID +5000\$" a.txt || fail "session A: expected 5000"
grep -Eq "^$KGETPPID +3000\$" b.txt || fail "session B: expected 3000"

# --exclude-self: hist triggers where the kernel has them, said so.
if [[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]]; then
	kp_start ex.txt -c --verbose --exclude-self "p:$KGETPPID"
	hist_work getppid 1000
	kp_stop ex.txt
	grep -q 'hist triggers on each probe' ex.txt.err || { cat ex.txt.err; fail "--exclude-self: not the hist path"; }
	grep -Eq "^$KGETPPID +1000\$" ex.txt || fail "--exclude-self: expected 1000"
fi
assert_tracefs_unchanged

# kill -9: the reaper removes trigger, instance and probe; with the reaper
# killed too, snoop-reset does.
kp_start k.txt -c "p:$KGETPPID"
pid=$BG_PID
snoop_reaper_of "$pid" >/dev/null || fail "no snoop-reaper for $pid"
kill -9 "$pid"
wait "$pid" 2>/dev/null || :
wait_no_leftovers 1000
assert_tracefs_unchanged
kp_start k.txt -c "p:$KGETPPID"
pid=$BG_PID
r=$(snoop_reaper_of "$pid") || fail "no snoop-reaper for $pid"
kill -9 "$r" "$pid"
wait "$pid" 2>/dev/null || :
[[ -n $(snoop_instance_of "$pid") ]] || fail "kill -9 left nothing: the sweep is not tested"
"$SNOOP_BIN/snoop-reset" >reset.out 2>&1 || { cat reset.out >&2; fail "snoop-reset failed"; }
[[ -z $(snoop_leftovers) ]] || { cat reset.out >&2; fail "left after snoop-reset: $(snoop_leftovers)"; }
assert_tracefs_unchanged
[[ $(<"$TRACEFS/tracing_on") == "$top_on" ]] || fail "the top instance's tracing_on changed"
