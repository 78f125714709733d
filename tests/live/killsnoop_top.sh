#!/usr/bin/env bash
# killsnoop --top with stdout not a terminal: the table printed as text,
# one row per sender name, signal and target, with the count and the
# failures; an invalid signal keeps its number in the key.
. "$(dirname "$0")/lib.sh"

snapshot_tracefs "$WORK/before"
start_tool top "$SNOOP_BIN/killsnoop" --top -i 0.5
for _ in 1 2 3; do kill -0 $$; done
python3 -c 'import os
try: os.kill(1, 99)
except OSError: pass'
sleep 0.8
stop_tool "$BG_PID" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS: $(cat "$WORK/top.err")"
grep -q '^  COUNT  FAILED LASTPID COMM SIGNAL TARGET' "$WORK/top.out" || fail "no table header: $(cat "$WORK/top.out")"
# The final table: the three kill -0 of this shell in one row, no failure.
tail -n 20 "$WORK/top.out" | grep -Eq "^ +3 +0 +$$ bash 0 $$\$" ||
	fail "no row '3 0 $$ bash 0 $$' in: $(cat "$WORK/top.out")"
tail -n 20 "$WORK/top.out" | grep -Eq "^ +1 +1 +[0-9]+ python3 99 1\$" ||
	fail "no row for the failed signal 99: $(cat "$WORK/top.out")"
note "table rows: 3 x kill -0 by this shell, 1 failed signal 99"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
