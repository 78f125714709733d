#!/bin/bash
# Errors before tracing (issue 16): unknown option names with ESC, BEL, C1
# and invalid UTF-8 are escaped like values (getopt's own message went to
# the terminal raw); a missing /sys/kernel/tracing on a kernel that has
# tracefs is not blamed on CONFIG_TRACING. Nothing reaches tracefs.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "needs python3"
snapshot_tracefs "$WORK/before"

# stderr must be valid UTF-8 with no control byte but \n, no DEL, no C1
# code point; and it must show the bytes' escapes.
check_clean() {
	python3 - "$1" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")          # raises on invalid UTF-8
for ch in text:
    o = ord(ch)
    if (o < 0x20 and ch != "\n") or o == 0x7f or 0x80 <= o <= 0x9f:
        sys.exit(f"raw control character U+{o:04X} in: {text!r}")
PY
}

ARGS=(
	$'--\e]0;pwned\a\e[2Jx'          # OSC title + clear screen
	$'--a\xc2\x9b31mb'               # C1 CSI as UTF-8
	$'--a\x9b31m\xff\xfe'             # 8-bit CSI, invalid UTF-8
	$'-\e'                            # a short option that is ESC
	$'--\a'                           # BEL
)
for tool in execsnoop opensnoop kprobe functrace snoop-reset; do
	for a in "${ARGS[@]}"; do
		rc=0
		"$SNOOP_BIN/$tool" "$a" >/dev/null 2>"$WORK/err" </dev/null || rc=$?
		[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "$tool $(printf '%q' "$a"): exit $rc"
		grep -qE 'unrecognized option|invalid option' "$WORK/err" ||
			fail "$tool $(printf '%q' "$a"): no usage error: $(cat -v "$WORK/err")"
		msg=$(check_clean "$WORK/err" 2>&1) || fail "$tool $(printf '%q' "$a"): $msg"
		cat "$WORK/err" >>"$WORK/all.err"
	done
	for esc in '\x1b]0;pwned\x07\x1b[2Jx' '\u{009b}31mb' '\x9b31m\xff\xfe'; do
		grep -qF -- "$esc" "$WORK/all.err" || fail "$tool: no $esc in: $(cat -v "$WORK/all.err")"
	done
	rm -f "$WORK/all.err"
	# An option value goes through the same stream: escaped once, not twice.
	"$SNOOP_BIN/$tool" $'-d\e' >/dev/null 2>"$WORK/err" </dev/null && fail "$tool: -d ESC accepted"
	check_clean "$WORK/err" || fail "$tool -d ESC: raw bytes"
	if [ "$tool" != snoop-reset ]; then
		grep -qF "'\\x1b'" "$WORK/err" || fail "$tool -d ESC: value not shown as '\\x1b': $(cat -v "$WORK/err")"
	fi
	note "$tool: unknown option names and values escaped"
done

# No /sys/kernel/tracing, on a kernel with tracefs: a private mount
# namespace without sysfs (nothing of the host's mounts changes).
if grep -qw tracefs /proc/filesystems && unshare -m true 2>/dev/null; then
	rc=0
	unshare -m --propagation private sh -c 'umount -l /sys && exec "$@"' sh \
		"$SNOOP_BIN/execsnoop" -d 0.1 >/dev/null 2>"$WORK/err" || rc=$?
	[ "$rc" = 1 ] || fail "no /sys: exit $rc: $(cat "$WORK/err")"
	grep -q 'CONFIG_TRACING' "$WORK/err" && fail "no /sys blamed on CONFIG_TRACING: $(cat "$WORK/err")"
	grep -q 'the kernel has tracefs' "$WORK/err" || fail "no /sys: $(cat "$WORK/err")"
	note "no /sys/kernel/tracing: '$(cat "$WORK/err")'"
else
	note "unshare -m unavailable: the missing mount point case is not checked"
fi

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
