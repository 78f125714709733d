#!/bin/bash
# functrace do_sys_openat2 sees the test's open with the right PID and
# caller, in text and JSON, and leaves the top level alone.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
opener_start 3 0
ft_start out.txt -H do_sys_openat2
opener_run
sleep 1
ft_stop out.txt
cat out.txt.err >&2
head -n 20 out.txt >&2
grep -q '^functrace: tracing 1 function\.' out.txt.err || fail "no 'tracing 1 function' message"
head -n1 out.txt | grep -qE '^COMM +PID +CPU +FUNCTION <- CALLER' || fail "no header with -H"
n=$(grep -cE "^ft_opener +$OPENER +[0-9]+ +do_sys_openat2 <- " out.txt || true)
((n == 3)) || fail "expected 3 calls by ft_opener $OPENER, saw $n"
grep -E "^ft_opener +$OPENER " out.txt | head -n1 | grep -qE "<- ($(ksys openat)|do_sys_open|__do_sys_openat)\$" ||
	fail "unexpected caller: $(grep -m1 -E "^ft_opener " out.txt)"
# Our own pid never shows up.
! grep -qE "^functrace +" out.txt || fail "functrace traced itself"
ft_assert_clean

# JSON, with -t.
opener_start 2 0
ft_start out.json -j -t do_sys_openat2
opener_run
sleep 1
ft_stop out.json
json_check out.json - <<PY
mine = [r for r in rows if r["pid"] == $OPENER]
assert len(mine) == 2, mine
for r in mine:
    assert r["comm"] == "ft_opener" and r["func"] == "do_sys_openat2", r
    assert r["module"] is None and isinstance(r["cpu"], int) and r["time"] >= 0, r
    assert r["caller"] in ("$(ksys openat)", "do_sys_open", "__do_sys_openat"), r
PY
ft_assert_clean
