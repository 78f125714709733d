#!/usr/bin/env bash
# Option validation: every bad value is refused with one line on stderr and
# exit status 64, before anything touches tracefs (checked: no instance
# appears and dynamic_events does not change).
set -uo pipefail
bin=${SNOOP_BIN:?}
fails=0 tried=0
tracefs=/sys/kernel/tracing
# What is in tracefs, less what belongs to live processes (other tools may
# run beside this test; a refused tool is dead by the time we look).
state() {
	local name pid
	for name in $(ls "$tracefs/instances" 2>/dev/null) $(sed -n 's/^[^:]*:\([^/ ]*\)\/.*/\1/p' "$tracefs/dynamic_events" 2>/dev/null); do
		pid=${name##*_}
		[[ $name == snoop_* && -d /proc/$pid ]] && continue
		echo "$name"
	done | sort -u
}
before=$(state)

refuse() {
	local out status what
	tried=$((tried + 1))
	what=$(printf '%s' "$*" | head -c 120)
	out=$("$@" 2>&1 >/dev/null); status=$?
	if [ "$status" != 64 ]; then
		echo "FAIL: '$what' exited $status (want 64): $(printf '%s' "$out" | head -c 300)"; fails=$((fails + 1)); return
	fi
	# argp adds a "Try --help" line: the error itself is the first line.
	# (no pipe into grep -q: under pipefail an early exit fails the pipe)
	if ! [[ ${out%%$'\n'*} =~ ^(.*/)?$(basename "$1"):\  ]]; then
		echo "FAIL: '$what': error does not start with the tool name: $(printf '%s' "$out" | head -c 300)"; fails=$((fails + 1))
	fi
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\xff]' <<<"$out"; then
		echo "FAIL: '$what': control bytes in the message"; fails=$((fails + 1))
	fi
}

for tool in execsnoop; do
	t=$bin/$tool
	refuse "$t" -p abc
	refuse "$t" -p -5
	refuse "$t" -p 0
	refuse "$t" -p 99999999999999999999
	refuse "$t" -p 2147483647          # cannot exist (pid_max is lower)
	refuse "$t" -L x
	refuse "$t" -d 0
	refuse "$t" -d -1
	refuse "$t" -d nan
	refuse "$t" -d 1e9
	refuse "$t" -d ''
	refuse "$t" -n ''
	refuse "$t" -n 'aaaaaaaaaaaaaaaaaaaaa'
	refuse "$t" -n $'a\nb'
	refuse "$t" -n $'\e[31m'
	refuse "$t" -b 1
	refuse "$t" -b 99999999999
	refuse "$t" -t -T
	refuse "$t" --no-such-option
	refuse "$t" extra-argument
done
refuse "$bin/execsnoop" --max-args 0
refuse "$bin/execsnoop" --max-args 127
refuse "$bin/execsnoop" --max-args 5x
refuse "$bin/execsnoop" -P abc
refuse "$bin/execsnoop" -u no-such-user-xyz
refuse "$bin/execsnoop" -n '('
refuse "$bin/execsnoop" -l ''
# -C where there is no cgroup key: refused, not ignored.
refuse "$bin/kprobe" --hist ret -C t:syscalls:sys_exit_read
refuse "$bin/kprobe" -c -s -C t:syscalls:sys_enter_getppid
refuse "$bin/kprobe" -c --by comm -C t:syscalls:sys_enter_getppid
refuse "$bin/functrace" --latency -C vfs_read
refuse "$bin/snoop-reset" --force
refuse "$bin/snoop-reset" --list --all
refuse "$bin/snoop-reset" extra
refuse "$bin/snoop-reset" $'\e]0;pwned\a'
# One argument can hold at most 128 KiB (MAX_ARG_STRLEN): use nearly that.
refuse "$bin/execsnoop" -P "$(head -c 130000 /dev/zero | tr '\0' 'x')"
refuse "$bin/execsnoop" -n "$(printf 'x%.0s' $(seq 1 5000))"

after=$(state)
if [ "$before" != "$after" ]; then
	echo "FAIL: tracefs changed while refusing bad options"; fails=$((fails + 1))
fi
echo "$((tried - fails)) passed, $fails failed"
[ "$fails" = 0 ]
