#!/bin/bash
# kprobe -c through the kernel's hit counter (kprobe_profile): a plain
# p:/r: count is armed by a trigger that never fires (traceoff:0), which
# soft-enables the probe and builds no record. Exact counts of N known
# calls (one probe, two probes, long names, a u: uprobe on 6.12, and two
# sessions with a same-named probe at once: counts must not mix); nothing reaches the ring buffer and tracing_on
# stays on; kprobe's own calls are counted, and left out with
# --exclude-self (the hist path). kill -9: hist_kill.sh.
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

# Event names too long for the session's suffix: cut, and kept apart.
long=$(printf 'e%.0s' {1..60})
kp_start long.txt -c -e "p:${long}a $KGETPPID" -e "p:${long}b $KGETPPID"
hist_work getppid 700
kp_stop long.txt
cat long.txt
[[ $(grep -Ec "^${long}[ab] +700\$" long.txt) == 2 ]] || fail "long names: expected 700 for each"

# u: (a uprobe): on the hit counter from 6.12 on (uprobe_profile counts per
# CPU there), two processes at once; before, through hist triggers. The
# same count either way.
if [[ -x $SNOOP_BIN/uprobe_target && -e $TRACEFS/uprobe_profile ]]; then
	cp "$SNOOP_BIN/uprobe_target" ./target
	rm -f go
	kp_start u.txt -c --verbose "u:$PWD/target:greet"
	./target go 5000 >/dev/null & t1=$!
	./target go 4000 >/dev/null & t2=$!
	touch go
	wait $t1 $t2
	kp_stop u.txt
	cat u.txt u.txt.err
	grep -Eq "^greet +9000\$" u.txt || fail "u: expected 9000"
	IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
	if ((kmaj > 6 || (kmaj == 6 && kmin >= 12))); then
		grep -q "hit counter (uprobe_profile)" u.txt.err || fail "u: not on the hit counter"
	else
		grep -q "a uprobe's counter is exact from 6.12 on" u.txt.err || fail "u: on the hit counter before 6.12"
	fi
else
	note "u: not checked: no uprobe_target or no uprobe_profile"
fi

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
# What the counter counts: kprobe's own calls too. kprobe reads
# kprobe_profile (a seq_file: seq_read) at every tick, 6 ticks and the end
# here; the shell reads a seq_file only while kp_start waits for the start.
# So the hit counter sees at least 7 more seq_reads than the hist path
# (--exclude-self), which leaves kprobe's own out.
own_reads() { # ARGS...: kprobe -c -i 0.2 ARGS 'p:seq_read' for 1 s; its count
	kp_start self.txt -c -i 0.2 "$@" 'p:seq_read'
	nap 1
	kp_stop self.txt
	awk '$1 == "seq_read" {n += $2} END {print n + 0}' self.txt
}
if grep -qx seq_read "$TRACEFS/available_filter_functions" &&
	[[ -e $TRACEFS/events/syscalls/sys_enter_getppid/hist ]]; then
	n_all=$(own_reads)
	n_ex=$(own_reads --exclude-self)
	((n_all >= n_ex + 7)) || fail "seq_read: hit counter $n_all, --exclude-self $n_ex: kprobe's own reads not in the first"
	note "own hits: seq_read $n_all on the hit counter, $n_ex with --exclude-self"
else
	note "own hits not checked: no seq_read in available_filter_functions, or no hist triggers"
fi
assert_tracefs_unchanged
[[ $(<"$TRACEFS/tracing_on") == "$top_on" ]] || fail "the top instance's tracing_on changed"
