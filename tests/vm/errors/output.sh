#!/bin/bash
# Issue 16 where the host cannot go: functrace's function tracer and the
# kprobe paths of kprobe, execsnoop and opensnoop, with stdout on /dev/full
# and past `ulimit -f 0`: exit 1, one line naming ENOSPC/EFBIG, nothing left.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh

require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs
# Events for every tool: opens and execs, all the time.
(while :; do cat /proc/version >/dev/null; done) >/dev/null 2>&1 &

CASES=(
	"functrace -H -d 1 do_sys_openat2"
	"kprobe -d 1 p:do_sys_openat2"
	"execsnoop -j -d 1"
	"opensnoop -j -d 1"
)
for c in "${CASES[@]}"; do
	read -r -a cmd <<<"$c"
	for mode in full fsize; do
		rc=0
		if [[ $mode == full ]]; then
			"${cmd[@]}" >/dev/full 2>err.txt || rc=$?
			pat='No space left on device \(ENOSPC\)'
		else
			# stderr through a pipe: the limit would cut a file there too
			{ (ulimit -f 0; exec "${cmd[@]}" >cut.out) 2>&1 || echo $? >rc.txt; } | cat >err.txt
			rc=$(cat rc.txt 2>/dev/null || echo 0)
			rm -f rc.txt
			pat='File too large \(EFBIG\)'
		fi
		[[ $rc == 1 ]] || { cat err.txt >&2; fail "$c ($mode): exit $rc, expected 1"; }
		n=$(grep -cE "cannot write the output: $pat" err.txt || true)
		[[ $n == 1 ]] || { cat err.txt >&2; fail "$c ($mode): $n lines naming the error, expected 1"; }
		assert_no_snoop_leftovers
		note "$c ($mode): exit 1, $(grep -E 'cannot write' err.txt)"
	done
done

kill %1 2>/dev/null || true
assert_tracefs_unchanged
