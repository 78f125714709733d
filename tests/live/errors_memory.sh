#!/bin/bash
# Out of memory (issue 16): each tool under `ulimit -v` at a range of limits,
# from where the dynamic loader itself fails to where everything fits: a
# normal run, or a non-zero exit with a line on stderr saying why; never a
# death by signal (abort(), a stack overflow); tracefs as it was after each.
# SNOOP_MEM_LIMITS overrides the limits (KiB, space-separated).
. "$(dirname "$0")/lib.sh"

[ -e "$TRACEFS/events/syscalls/sys_enter_openat" ] || skip "no syscall tracepoints"
# ASan reserves terabytes of address space for its shadow: under ulimit -v
# an ASan build fails in the sanitizer's start-up, before any code of ours.
[[ $(ldd "$SNOOP_BIN/execsnoop" 2>/dev/null) == *libasan* ]] && skip "ASan build: ulimit -v stops the sanitizer, not the tools"
( while :; do /bin/true; cat /etc/hostname >/dev/null; sleep 0.01; done ) >/dev/null 2>&1 &
BG_PIDS+=("$!")
disown

LIMITS=${SNOOP_MEM_LIMITS:-"$(seq -s ' ' 4000 500 12000) 16000 24000 32000"}
CASES=(
	"execsnoop|$SNOOP_BIN/execsnoop -d 0.3"
	"execsnoop -j|$SNOOP_BIN/execsnoop -j -d 0.3"
	"execsnoop --top|$SNOOP_BIN/execsnoop --top -i 0.1 -d 0.3"
	"opensnoop|$SNOOP_BIN/opensnoop -d 0.3"
	"opensnoop --libc|$SNOOP_BIN/opensnoop --libc -d 0.3"
	"kprobe t:|$SNOOP_BIN/kprobe -d 0.3 t:syscalls:sys_enter_openat"
	"functrace|$SNOOP_BIN/functrace -d 0.3 vfs_read"
	"snoop-reset -l|$SNOOP_BIN/snoop-reset -l"
)

snapshot_tracefs "$WORK/before"
failures=()
for c in "${CASES[@]}"; do
	name=${c%%|*}
	read -r -a cmd <<<"${c#*|}"
	summary=""
	for kb in $LIMITS; do
		rc=0
		( ulimit -v "$kb"; exec "${cmd[@]}" >"$WORK/out" 2>"$WORK/err" </dev/null ) || rc=$?
		if [ "$rc" -ge 128 ]; then
			failures+=("$name at ulimit -v $kb: killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null)); stderr: $(tr '\n' '|' <"$WORK/err")")
			summary+=" $kb:SIG$(kill -l $((rc - 128)) 2>/dev/null)"
		elif [ "$rc" -ne 0 ] && ! grep -q . "$WORK/err"; then
			failures+=("$name at ulimit -v $kb: exit $rc without a word")
			summary+=" $kb:mute"
		else
			summary+=" $kb:$rc"
		fi
		snapshot_tracefs "$WORK/after"
		if ! diff -q "$WORK/before" "$WORK/after" >/dev/null; then
			diff -u "$WORK/before" "$WORK/after" >&2 || true
			"$SNOOP_BIN/snoop-reset" >/dev/null 2>&1 || true # for the next run
			failures+=("$name at ulimit -v $kb: tracefs changed (exit $rc)")
		fi
	done
	note "$name: KiB:exit$summary"
done
[ ${#failures[@]} = 0 ] || { printf '%s\n' "${failures[@]}" >&2; fail "${#failures[@]} failure(s) above"; }
note "ok"
