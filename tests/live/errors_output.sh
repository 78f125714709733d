#!/bin/bash
# Output errors (issue 16): every tool with stdout on /dev/full (ENOSPC),
# closed (EBADF), and a file past `ulimit -f` (EFBIG, SIGXFSZ): a non-zero
# exit that is not a signal death, exactly one new line on stderr naming
# the error, and tracefs as it was. A closed pipe stays a quiet end, exit 0.
. "$(dirname "$0")/lib.sh"

# Something to trace, so that -j (no header) has lines to write.
( while :; do /bin/true; cat /etc/hostname >/dev/null; sleep 0.01; done ) >/dev/null 2>&1 &
BG_PIDS+=("$!")
disown

# name|command: each writes at least a header or, with the workload, lines.
CASES=(
	"execsnoop|$SNOOP_BIN/execsnoop -d 0.5"
	"execsnoop -j|$SNOOP_BIN/execsnoop -j -d 0.5"
	"execsnoop --top|$SNOOP_BIN/execsnoop --top -i 0.2 -d 0.5"
	"opensnoop|$SNOOP_BIN/opensnoop -d 0.5"
	"opensnoop -j|$SNOOP_BIN/opensnoop -j -d 0.5"
	"kprobe t:|$SNOOP_BIN/kprobe -d 0.5 t:syscalls:sys_enter_openat"
	"kprobe t: -j|$SNOOP_BIN/kprobe -j -d 0.5 t:syscalls:sys_enter_openat"
	"snoop-reset -l|$SNOOP_BIN/snoop-reset -l"
)

snapshot_tracefs "$WORK/before"

# run NAME MODE CMD...: stdout per MODE; sets RC, writes $WORK/err
run() {
	local mode=$1; shift
	RC=0
	case $mode in
	null)   "$@" >/dev/null 2>"$WORK/err" </dev/null || RC=$? ;;
	full)   "$@" >/dev/full 2>"$WORK/err" </dev/null || RC=$? ;;
	closed) "$@" >&- 2>"$WORK/err" </dev/null || RC=$? ;;
	fsize)  # stderr through a pipe: the limit would cut a file there too
		{ ( ulimit -f 0; exec "$@" >"$WORK/cut.out" </dev/null ) 2>&1 || echo $? >"$WORK/rc"; } |
			cat >"$WORK/err"
		RC=$(cat "$WORK/rc" 2>/dev/null || echo 0); rm -f "$WORK/rc" ;;
	pipe)   { "$@" 2>"$WORK/err" </dev/null || echo $? >"$WORK/rc"; } | head -c 0 || true
		RC=$(cat "$WORK/rc" 2>/dev/null || echo 0); rm -f "$WORK/rc" ;;
	esac
}

for c in "${CASES[@]}"; do
	name=${c%%|*}
	read -r -a cmd <<<"${c#*|}"
	run null "${cmd[@]}"
	[ "$RC" = 0 ] || fail "$name > /dev/null: exit $RC, stderr: $(cat "$WORK/err")"
	sort -u "$WORK/err" >"$WORK/base"
	for mode in full closed fsize; do
		run "$mode" "${cmd[@]}"
		# The lines a normal run prints (fallback notices) are not new.
		new=$(sort -u "$WORK/err" | comm -23 - "$WORK/base")
		[ "$RC" -ne 0 ] || fail "$name ($mode): exit 0 after a lost write; stderr: $(cat "$WORK/err")"
		[ "$RC" -lt 128 ] || fail "$name ($mode): killed by signal $((RC - 128))"
		[ "$(printf '%s\n' "$new" | grep -c .)" = 1 ] ||
			fail "$name ($mode): expected one new line on stderr, got: $new"
		case $mode in
		full)   pat='No space left on device \(ENOSPC\)' ;;
		closed) pat='(standard output is closed|Bad file descriptor) \(EBADF\)' ;;
		fsize)  pat='File too large \(EFBIG\)' ;;
		esac
		printf '%s\n' "$new" | grep -qE "cannot write the output: .*$pat|cannot write the output: $pat" ||
			fail "$name ($mode): the line does not name the error: $new"
		note "$name ($mode): exit $RC, '$new'"
	done
	# A reader that goes away is a normal end: nothing said, exit 0. (The
	# sweep's own messages of snoop-reset aside, which base holds.)
	run pipe "${cmd[@]}"
	new=$(sort -u "$WORK/err" | comm -23 - "$WORK/base")
	[ "$RC" = 0 ] || fail "$name | head -c 0: exit $RC, stderr: $(cat "$WORK/err")"
	[ -z "$new" ] || fail "$name | head -c 0: said something: $new"
done

# functrace's refusal path (no function tracer here): the refusal, not a
# crash, whatever stdout is; nothing left behind.
for mode in full closed fsize; do
	run "$mode" "$SNOOP_BIN/functrace" -d 0.5 'vfs_read'
	[ "$RC" -ne 0 ] && [ "$RC" -lt 128 ] || fail "functrace ($mode): exit $RC; stderr: $(cat "$WORK/err")"
	[ -s "$WORK/err" ] || fail "functrace ($mode): exit $RC without a word"
	note "functrace ($mode): exit $RC, '$(head -1 "$WORK/err")'"
done

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
