#!/bin/bash
# functrace on this machine's kernel: where the function tracer is refused
# (kernel lockdown), one clear line naming the reason and exit status 69,
# with tracefs left exactly as it was; bad input is refused (64) before
# anything is written, whatever the kernel.
. "$(dirname "$0")/lib.sh"

FT=$SNOOP_BIN/functrace
[ -x "$FT" ] || fail "no $FT (build first)"

snapshot_tracefs "$WORK/before"

# Bad input: usage errors, nothing written.
for args in "" "-c -g vfs_read" "!vfs_read" "vfs_read:traceoff" "-i 1 vfs_read" "--by tid -c vfs_read" \
	"--limit 0 vfs_read" "--no-children vfs_read" "$(printf 'vfs\nread')"; do
	rc=0
	# shellcheck disable=SC2086
	if [[ $args == *$'\n'* ]]; then "$FT" "$args" >"$WORK/o" 2>"$WORK/e" || rc=$?; else "$FT" $args >"$WORK/o" 2>"$WORK/e" || rc=$?; fi
	[ "$rc" = 64 ] || fail "functrace $args: exit $rc, expected 64 ($(cat "$WORK/e"))"
	[ -s "$WORK/o" ] && fail "functrace $args wrote to stdout"
	head -n1 "$WORK/e" | grep -q '^functrace: ' || fail "functrace $args: no 'functrace:' error line"
done
# The newline of the last one is never echoed back: one error line.
[ "$(grep -c '^functrace: ' "$WORK/e")" = 1 ] && ! grep -q '^read' "$WORK/e" || fail "pattern echoed raw: $(cat "$WORK/e")"

# --help says what functrace's -p does (the shared option text says "only
# the process"): children forked later are followed unless --no-children.
"$FT" --help 2>&1 | tr -s ' \n' ' ' >"$WORK/help" || fail "functrace --help failed"
grep -q "function-fork" "$WORK/help" && grep -q "children and threads it forks after the start" "$WORK/help" ||
	fail "functrace --help does not say that -p follows children"

lockdown=
if [ ! -e /sys/kernel/security/lockdown ]; then
	mount -t securityfs none /sys/kernel/security 2>/dev/null || true
fi
[ -r /sys/kernel/security/lockdown ] && lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown)

rc=0
"$FT" -d 1 do_sys_openat2 >"$WORK/out" 2>"$WORK/err" || rc=$?
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
if [ "$rc" = 0 ]; then
	skip "the function tracer works on this kernel (lockdown: ${lockdown:-unknown}): nothing to refuse here"
fi
cat "$WORK/err"
[ "$rc" = 69 ] || fail "exit $rc, expected 69 (function tracer unavailable)"
[ "$(wc -l <"$WORK/err")" = 1 ] || fail "expected one line on stderr, got: $(cat "$WORK/err")"
[ -s "$WORK/out" ] && fail "output on stdout: $(head -n3 "$WORK/out")"
if [ -n "$lockdown" ] && [ "$lockdown" != none ]; then
	grep -q "kernel lockdown ($lockdown)" "$WORK/err" || fail "the error does not name the lockdown mode '$lockdown'"
fi
grep -qi 'function tracer' "$WORK/err" || fail "the error does not say what is unavailable"

# JSON mode and the other modes fail the same way (no half-written JSON).
for args in "-j do_sys_openat2" "-c vfs_read" "-g do_sys_openat2" "-s do_sys_openat2"; do
	rc=0
	# shellcheck disable=SC2086
	"$FT" $args >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" = 69 ] || fail "functrace $args: exit $rc, expected 69"
	[ -s "$WORK/out" ] && fail "functrace $args wrote to stdout"
done
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "refused with: $(head -n1 "$WORK/err")"
