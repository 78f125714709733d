#!/bin/bash
# functrace --slower-than: of 20 nanosleeps of 0 and 2 of 250 ms, exactly
# the 2 slow ones are printed, with the sleeper's PID and COMM and a
# duration of 250 ms or more (a 0 ns sleep took 85 ms under TCG on a loaded
# host: hence 150 ms), in text and in JSON; with -s each with its
# kernel stack from do_nanosleep's caller down (the kretprobe's own frames
# left out); --latency -j gives the buckets as JSON (user space and kernel).
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"
ft_require_kprobes
ft_snapshot

# slow_run OUT ARGS...: functrace ARGS while ft_sleeper (W) makes 10 calls
# of 0 ns, 2 of 250 ms and 10 of 0 ns; stopped after.
slow_run() {
	ft_lat_start "$@"
	ft_sleeper 0 10 250000 2 0 10 &
	W=$!
	wait "$W"
	nap 0.3
	ft_stop "$1"
}

slow_run out.txt -H -n ft_sleeper --slower-than 150ms do_nanosleep
cat out.txt >&2
head -1 out.txt | grep -Eq '^COMM +PID +CPU +DURATION\(us\)  FUNCTION$' || fail "no header"
[[ $(tail -n +2 out.txt | wc -l) == 2 ]] || fail "expected exactly the 2 slow calls"
[[ $(grep -cE "^ft_sleeper +$W +[0-9]+ +[0-9]+\.[0-9]{3}  do_nanosleep$" out.txt) == 2 ]] ||
	fail "the lines do not name ft_sleeper $W and do_nanosleep"
awk 'NR > 1 && $4 < 250000 {exit 1}' out.txt || fail "a slow call shorter than 250 ms"
ft_assert_clean

slow_run out.json -j -n ft_sleeper --slower-than 150000 do_nanosleep
json_check out.json - <<PY
assert len(rows) == 2, rows
assert all(r["pid"] == $W and r["comm"] == "ft_sleeper" and r["function"] == "do_nanosleep" for r in rows), rows
assert all(r["duration_ns"] >= 250000000 for r in rows), rows
PY
ft_assert_clean

# -s: the kernel stack of each slow call, the caller of do_nanosleep first.
slow_run st.txt -s -n ft_sleeper --slower-than 150ms do_nanosleep
cat st.txt >&2
[[ $(grep -cE "^ft_sleeper +$W +[0-9]+ +[0-9]+\.[0-9]{3}  do_nanosleep$" st.txt) == 2 ]] || fail "-s: not the 2 slow calls"
[[ $(grep -cE $'^\t=> hrtimer_nanosleep\\+0x' st.txt) == 2 ]] ||
	fail "-s: each slow call's stack does not start at do_nanosleep's caller hrtimer_nanosleep"
! grep -qE $'^\t=> (kretprobe|rethook|arch_rethook|trace_|kprobe)' st.txt || fail "-s: the probe's own frames shown"
grep -qE $'^\t=> .*sys_clock_nanosleep\\+0x' st.txt || fail "-s: the stack does not reach the syscall"
ft_assert_clean

# -j -s with --latency: the slow calls with their stack, then one object
# per function with the log2 buckets (user space: --slower-than pairs there).
slow_run sl.json -j -s -n ft_sleeper --latency --slower-than 150ms do_nanosleep
json_check sl.json - <<PY
calls = [r for r in rows if "duration_ns" in r]
hist = [r for r in rows if r.get("type") == "latency"]
assert len(calls) == 2 and len(hist) == 1, rows
assert all(r["pid"] == $W and r["stack"][0].startswith("hrtimer_nanosleep+0x") for r in calls), calls
h = hist[0]
assert h["function"] == "do_nanosleep" and h["final"] and h["calls"] == 22, h
assert sum(h["count"]) == 22 and len(h["log2"]) == len(h["count"]), h
# 250 ms = 250000 us in (131072, 262144]: bucket 18 (TCG may push one bucket up)
assert sum(c for e, c in zip(h["log2"], h["count"]) if e in (18, 19)) == 2, h
# (another task's call in flight at the start or the end is counted there)
assert all(isinstance(h[k], int) for k in ("entries_without_return", "returns_without_entry", "split_by_loss")), h
PY
ft_assert_clean

# --latency -j in the kernel (hist triggers): 150 ms sleeps in bucket 18;
# no other task of the guest sleeps that long.
if [[ -e $TRACEFS/events/syscalls/sys_enter_clock_nanosleep/hist ]]; then
	ft_lat_start kl.json -j --latency do_nanosleep
	ft_sleeper 150000 2
	nap 0.3
	ft_stop kl.json
	json_check kl.json - <<PY
assert len(rows) == 1 and rows[0]["type"] == "latency" and "entries_without_return" not in rows[0], rows
h = dict(zip(rows[0]["log2"], rows[0]["count"]))
assert h.get(18, 0) + h.get(19, 0) == 2 and not any(e > 19 for e in h), rows
PY
	ft_assert_clean
else
	note "no hist triggers: the kernel path of --latency -j not tried"
fi

st=0
"$FT" -s --latency do_nanosleep >bad.txt 2>&1 || st=$?
cat bad.txt >&2
[[ $st == 64 ]] || fail "-s --latency without --slower-than: exit status $st, expected 64"
ft_assert_clean
