#!/usr/bin/env bash
# Optional events: a program linked with libsnoop asks for an event the
# kernel does not have as optional (no message, the session records the
# rest and ends 0), then as required (one line on stderr, status 1, no
# start); tracefs is left as it was either way.
. "$(dirname "$0")/lib.sh"

PROG=$SNOOP_BIN/lib_optional_event
[ -x "$PROG" ] || skip "no lib_optional_event in $SNOOP_BIN (tests/live/CMakeLists.txt builds it)"
snapshot_tracefs "$WORK/before"

( sleep 0.25; kill -0 $$; kill -0 $$ ) &
"$PROG" opt >"$WORK/opt.out" 2>"$WORK/opt.err" || fail "optional: status $?: $(cat "$WORK/opt.err")"
[ ! -s "$WORK/opt.err" ] || fail "optional: a message on stderr: $(cat "$WORK/opt.err")"
read -r _ hits <"$WORK/opt.out"
[ "$hits" -ge 2 ] || fail "optional: the other event recorded $hits kills, not 2"
note "optional missing event: silent, the session recorded $hits kills"

"$PROG" required >"$WORK/req.out" 2>"$WORK/req.err" && fail "required: accepted"
[ "$(wc -l <"$WORK/req.err")" -ge 1 ] && grep -q "no event nosuch:event" "$WORK/req.err" ||
	fail "required: no clear message: $(cat "$WORK/req.err")"
grep -q "started after" "$WORK/req.err" && fail "required: the session started"
note "required missing event: '$(head -n 1 "$WORK/req.err")', no start"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
