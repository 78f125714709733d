#!/bin/bash
# On a kernel without kprobe events (this machine), p:/r:/f: probes end
# with a clear message and exit status 69, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
KPROBE=$SNOOP_BIN/kprobe
[ -x "$KPROBE" ] || skip "no kprobe binary in $SNOOP_BIN"
[ ! -e "$TRACEFS/kprobe_events" ] || skip "this kernel has kprobe events (tested in tests/vm/kprobe)"

# --help says where the blacklist comes from and that -F skips it.
"$KPROBE" --help >"$WORK/help" 2>&1 || fail "kprobe --help failed"
tr -s ' \n' ' ' <"$WORK/help" | grep -q 'kprobe blacklist, which only debugfs has' || fail "--help: no blacklist source"
tr -s ' \n' ' ' <"$WORK/help" | grep -q -- '-F skips both checks' || fail "--help: -F and the blacklist"

snapshot_tracefs "$WORK/before"
for def in 'p:do_sys_openat2 dfd=%di:s32' 'r:do_sys_openat2 fd=retval:s64' 'p do_sys_openat2 how->flags'; do
	set +e
	"$KPROBE" "$def" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	[ "$rc" = 69 ] || fail "'$def': exit $rc, expected 69 ($(cat "$WORK/err"))"
	grep -q 'kprobe events are not available on this kernel' "$WORK/err" || fail "'$def': $(cat "$WORK/err")"
	# One line of ours (a sweep of other sessions' leftovers may add its own).
	[ "$(grep -c '^kprobe: kprobe' "$WORK/err")" = 1 ] || fail "'$def': $(cat "$WORK/err")"
	[ ! -s "$WORK/out" ] || fail "'$def': printed on stdout"
done
if ! grep -q 'f\[:\[<group>/\]\[<event>\]\]' "$TRACEFS/README" 2>/dev/null; then
	set +e
	"$KPROBE" 'f:do_sys_openat2 dfd' 2>"$WORK/err"
	rc=$?
	set -e
	[ "$rc" = 69 ] || fail "f:: exit $rc"
	grep -q 'fprobe events are not available' "$WORK/err" || fail "f:: $(cat "$WORK/err")"
fi
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
