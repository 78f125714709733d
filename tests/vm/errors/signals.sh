#!/bin/bash
# Issue 16 where the host cannot go: functrace's function tracer and the
# kprobe paths of kprobe, execsnoop and opensnoop stopped by SIGUSR1,
# SIGXCPU, SIGUSR2: exit 0, nothing left, functrace -s puts
# func_stack_trace back.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh

require_file "$TRACEFS/kprobe_events" "no kprobe events"
snapshot_tracefs
# Events for every tool: opens and execs, all the time.
(while :; do cat /proc/version >/dev/null; done) >/dev/null 2>&1 &

stack=$TRACEFS/options/func_stack_trace
for c in "functrace -s do_sys_openat2" "kprobe p:do_sys_openat2" "execsnoop" "opensnoop"; do
	read -r -a cmd <<<"$c"
	for sig in USR1 XCPU USR2; do
		start_bg "${cmd[@]}" >out.txt 2>err.txt
		for ((i = 0; i < 200; i++)); do
			d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID" 2>/dev/null || true)
			[[ -n $d ]] && snoop_armed "$d" && break
			kill -0 "$BG_PID" 2>/dev/null || { cat err.txt >&2; fail "$c died before tracing"; }
			sleep 0.05
		done
		stop_bg -s "$sig" -t 20 || { cat err.txt >&2; fail "$c: SIG$sig"; }
		assert_no_snoop_leftovers
		if [[ ${cmd[0]} == functrace && -e $stack ]]; then
			[[ $(cat "$stack") == 0 ]] || fail "functrace -s stopped by SIG$sig left func_stack_trace on"
		fi
	done
	note "$c: SIGUSR1, SIGXCPU, SIGUSR2: exit 0, clean"
done
kill %1 2>/dev/null || true
assert_tracefs_unchanged
