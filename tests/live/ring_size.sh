#!/bin/bash
# The ring buffer a session gets, as the kernel reports it for the live
# instance (per_cpu/cpuN/buffer_size_kb): opensnoop asks for 4 MiB a CPU by
# default (less above 32 CPUs: 128 MiB in all), -b overrides it, a tool that
# asks for nothing keeps what the kernel gives an instance, and -v says the
# size in force. Tracefs is left as it was.
. "$(dirname "$0")/lib.sh"

OS=$SNOOP_BIN/opensnoop
ES=$SNOOP_BIN/execsnoop
[ -x "$OS" ] && [ -x "$ES" ] || skip "no $OS or $ES (build first)"
[ -e "$TRACEFS/events/syscalls/sys_exit_openat" ] || skip "no syscall tracepoints"

snapshot_tracefs "$WORK/before"

# What mkdir gives an instance on this kernel (the witness for "the kernel's").
probe=$TRACEFS/instances/ringprobe_$$
mkdir "$probe"
read -r kdefault _ <"$probe/per_cpu/cpu0/buffer_size_kb"
rmdir "$probe"
ncpu=$(getconf _NPROCESSORS_CONF)
want=4096
[ $((131072 / ncpu)) -lt "$want" ] && want=$((131072 / ncpu))
[ "$kdefault" -gt "$want" ] && want=$kdefault

# ring NAME TOOL ARGS...: the tool's per-CPU ring sizes, from the kernel,
# every CPU's (one line each, sorted unique), and what -v said.
ring() {
	local name=$1 d
	shift
	start_tool "$name" "$@" -v
	d=$(ls -d "$TRACEFS"/instances/snoop_*_"$BG_PID")
	cat "$d"/per_cpu/cpu*/buffer_size_kb | awk '{print $1}' | sort -u >"$WORK/$name.kb"
	stop_tool "$BG_PID" INT
	[ "$BG_STATUS" = 0 ] || fail "$name: exit $BG_STATUS: $(cat "$WORK/$name.err")"
	sed -n 's/.*a ring of \([0-9]*\) KiB a CPU.*/\1/p' "$WORK/$name.err" >"$WORK/$name.said"
}

# The kernel rounds a size up to whole pages: within a page of the ask.
near() { [ "$1" -ge "$2" ] && [ "$1" -le $(($2 + 8)) ]; }

ring os-default "$OS"
[ "$(wc -l <"$WORK/os-default.kb")" = 1 ] || fail "opensnoop: CPUs with different rings: $(tr '\n' ' ' <"$WORK/os-default.kb")"
got=$(cat "$WORK/os-default.kb")
near "$got" "$want" || fail "opensnoop: a ring of $got KiB a CPU, expected $want (kernel's default $kdefault, $ncpu CPUs)"
[ "$(cat "$WORK/os-default.said")" = "$got" ] || fail "opensnoop -v said '$(cat "$WORK/os-default.said")' KiB, the kernel $got"

ring os-b "$OS" -b 64
got=$(cat "$WORK/os-b.kb")
near "$got" 64 || fail "opensnoop -b 64: a ring of $got KiB a CPU"
[ "$(cat "$WORK/os-b.said")" = "$got" ] || fail "opensnoop -b 64 -v said '$(cat "$WORK/os-b.said")' KiB, the kernel $got"

ring es-default "$ES"
got=$(cat "$WORK/es-default.kb")
[ "$got" = "$kdefault" ] || fail "execsnoop: a ring of $got KiB a CPU, expected the kernel's $kdefault"
[ "$(cat "$WORK/es-default.said")" = "$got" ] || fail "execsnoop -v said '$(cat "$WORK/es-default.said")' KiB, the kernel $got"

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "opensnoop ${want} KiB (kernel's ${kdefault}, ${ncpu} CPUs), -b 64, execsnoop the kernel's: as the kernel reports them"
