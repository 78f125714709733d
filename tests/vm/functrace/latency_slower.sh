#!/bin/bash
# functrace --slower-than: of 20 nanosleeps of 0 and 2 of 50 ms, exactly
# the 2 slow ones are printed, with the sleeper's PID and COMM and a
# duration of 50 ms or more, in text and in JSON; -s is refused with it.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"
ft_require_kprobes
ft_snapshot

ft_lat_start out.txt -H -n ft_sleeper --slower-than 20ms do_nanosleep
ft_sleeper 0 10 50000 2 0 10 &
W=$!
wait "$W"
nap 0.3
ft_stop out.txt
cat out.txt >&2
head -1 out.txt | grep -Eq '^COMM +PID +CPU +DURATION\(us\)  FUNCTION$' || fail "no header"
[[ $(tail -n +2 out.txt | wc -l) == 2 ]] || fail "expected exactly the 2 slow calls"
[[ $(grep -cE "^ft_sleeper +$W +[0-9]+ +[0-9]+\.[0-9]{3}  do_nanosleep$" out.txt) == 2 ]] ||
	fail "the lines do not name ft_sleeper $W and do_nanosleep"
awk 'NR > 1 && $4 < 50000 {exit 1}' out.txt || fail "a slow call shorter than 50 ms"
ft_assert_clean

ft_lat_start out.json -j -n ft_sleeper --slower-than 20000 do_nanosleep
ft_sleeper 0 10 50000 2 0 10 &
W=$!
wait "$W"
nap 0.3
ft_stop out.json
json_check out.json - <<PY
assert len(rows) == 2, rows
assert all(r["pid"] == $W and r["comm"] == "ft_sleeper" and r["function"] == "do_nanosleep" for r in rows), rows
assert all(r["duration_ns"] >= 50000000 for r in rows), rows
PY
ft_assert_clean

st=0
"$FT" -s --slower-than 1ms do_nanosleep >bad.txt 2>&1 || st=$?
cat bad.txt >&2
[[ $st == 64 ]] || fail "-s --slower-than: exit status $st, expected 64"
ft_assert_clean
