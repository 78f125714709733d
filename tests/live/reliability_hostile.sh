#!/usr/bin/env bash
# Issue 9, hostile input on this machine's kernel:
#  1. probe definitions, filters and option values that are hostile
#     (newlines, ';', '-:' removals, non-ASCII, escapes, 1 MiB strings,
#     numbers at and beyond their limits, unknown functions/tracepoints):
#     a short error (one line, or kprobe's 3: message, definition, caret, nothing raw), non-zero exit, and
#     nothing written to tracefs (full snapshot). NUL cannot be in an argv
#     (C strings): the fuzz targets feed it to the parsers.
#  2. exec'd argv with every byte value, ANSI/OSC escapes and invalid UTF-8:
#     execsnoop's text output has nothing raw; its JSON is valid and gives the
#     bytes back by the surrogateescape rule (README "Output and escaping").
. "$(dirname "$0")/reliability_lib.bash"
ESC=$SNOOP_SRC/tests/vm/reliability/escape.py

rel_before
big=$(head -c 1048576 /dev/zero | tr '\0' a)
nl=$'\n'
esc=$'\e]0;pwned\a\e[31m'

# refuse TOOL ARGS...: must fail with a short, escaped error, touching nothing.
refuse() {
	local st=0
	REL_INPUTS=$((REL_INPUTS + 1))
	timeout 20 "$SNOOP_BIN/$@" </dev/null >"$WORK/r.out" 2>"$WORK/r.err" || st=$?
	local shown
	shown=$(printf '%q ' "$@" | cut -c1-120)
	[ "$st" != 0 ] || fail "accepted: $shown"
	[ "$st" != 124 ] || fail "hung: $shown"
	[ "$st" -lt 128 ] || fail "crashed (status $st): $shown"
	[ "$(wc -l <"$WORK/r.err")" -le 3 ] || { head -c 2000 "$WORK/r.err" >&2; fail "more than 3 lines of error: $shown"; }
	[ -s "$WORK/r.err" ] || fail "no error message: $shown"
	[ "$(wc -c <"$WORK/r.err")" -le 4096 ] || fail "an error of $(wc -c <"$WORK/r.err") bytes: $shown"
	python3 "$ESC" text "$WORK/r.err" >/dev/null || fail "raw bytes in the error of: $shown"
	# cheap per-input check; the full snapshot follows each group
	[ -z "$(ls "$TRACEFS/instances" | grep "^snoop_" | while read -r n; do kill -0 "${n##*_}" 2>/dev/null || echo "$n"; done)" ] ||
		fail "an instance was left by: $shown"
}

if have_tool kprobe; then
	for def in "p:do_sys_open${nl}-:foreign/x" "t:sched:sched_switch${nl}p:x do_sys_open" \
		"p:x do_sys_open; -:snoop_1/exec" "-:snoop_1/exec" "-:foreign/fopen" "-:*" \
		"p:../../x do_sys_open" "t:../../../etc:passwd" "t:sched/../../x" "p:évent do_sys_open" \
		"t:sched:sched_switch${esc}" "p:$big" "t:sched:$big" "t:$big:x" "p:x $big" \
		"t:nosuchsys:nosuchev" "t:sched:no_such_event" "p:no_such_function_xyz" "r:no_such_function_xyz" \
		"f:no_such_function_xyz" "p:do_sys_open a=+0(%si):nosuchtype" "q:x do_sys_open" "" " " \
		"t:" "t:sched" "t:sched:" "p:" "r99999999999:x do_sys_open" "p:x do_sys_open+99999999999999999999" \
		"t:syscalls:sys_enter_openat if" "t:syscalls:sys_enter_openat if ${nl}" \
		$'t:syscalls:sys_enter_openat\x01' $'t:x\xff\x9b' $'p:do_sys_open a=+0(%si):string \x9b[31m'; do
		refuse kprobe "$def"
		refuse kprobe -e "$def" -e t:syscalls:sys_enter_close
	done
	for flt in "dfd == 1${nl}-:foreign/x" "dfd == 1; echo x > /sys/kernel/tracing/tracing_on" \
		"dfd == 1 ${esc}" "$big" "dfd == $big" "nosuchfield == 1" "dfd ==" "((((((((dfd == 1)" \
		"filename ~ \"$big\"" "dfd == 1 || -:x" "dfd == 1 && é == 2" $'dfd == 1 \xff' "comm == \"a\\\"" \
		"$(printf '(%.0s' $(seq 1 5000))dfd == 1$(printf ')%.0s' $(seq 1 5000))"; do
		refuse kprobe t:syscalls:sys_enter_openat "$flt"
		refuse kprobe -e "t:syscalls:sys_enter_openat if $flt"
	done
	for v in 0 -1 1000000001 99999999999999999999 1e3 0x10 " 5" "5 " "" abc "${esc}"; do
		refuse kprobe -M "$v" t:syscalls:sys_enter_openat
	done
	# (-i takes seconds with fractions: 1e3 is a valid 1000 s)
	for v in 0 -1 0.01 1e308 nan inf 0x10 1000000001 " 5" "5 " "" abc "${esc}"; do
		refuse kprobe -c -i "$v" t:syscalls:sys_enter_openat
	done
	rel_check "kprobe hostile definitions and filters"
	note "kprobe: $REL_INPUTS refused cleanly"
fi
for tool in execsnoop opensnoop kprobe functrace; do
	have_tool "$tool" || continue
	extra=()
	case $tool in kprobe) extra=(t:syscalls:sys_enter_openat) ;; functrace) extra=(vfs_read) ;; esac
	for v in 0 -1 2147483648 4294967297 99999999999999999999 1e3 0x10 " 5" "" "${esc}" "$big"; do
		refuse "$tool" -p "$v" "${extra[@]}"
		refuse "$tool" -L "$v" "${extra[@]}"
	done
	for v in -1 nan inf -inf 1e308 0x 1s "" "${esc}" "$big"; do
		refuse "$tool" -d "$v" "${extra[@]}"
	done
	for v in 0 3 4194305 99999999999999999999 -4 "" "$big"; do
		refuse "$tool" -b "$v" "${extra[@]}"
	done
	for v in "a${nl}b" "a\"b" "a\\b" "$big" "${esc}"; do
		[ "$tool" = execsnoop ] && [ "$v" = "${esc}" ] && continue # a valid regex there
		[ "$tool" = execsnoop ] && [ "$v" = "a${nl}b" ] && continue
		refuse "$tool" -n "$v" "${extra[@]}"
	done
	case $tool in
	execsnoop) for v in 0 127 -1 "$big"; do refuse execsnoop --max-args "$v"; done
		refuse execsnoop -n '(' ; refuse execsnoop -u no_such_user_xyz ; refuse execsnoop -P -5 ;;
	opensnoop) refuse opensnoop "a${nl}b" ; refuse opensnoop -u no_such_user_xyz ; refuse opensnoop x y ;;
	functrace) for p in no_such_function_xyz "$big" "vfs_read${nl}-:x" "!vfs_read" "*:mod:" "${esc}" \
			"vfs_read:traceoff" "vfs_read:mod:no_such_mod"; do refuse functrace "$p"; done
		refuse functrace --limit 0 vfs_read; refuse functrace --limit 99999999999 vfs_read ;;
	esac
	rel_check "$tool hostile options"
done
note "hostile inputs refused: $REL_INPUTS"

# 2. Hostile argv through execsnoop (the tracepoint path reads it from /proc
#    while the process lives: the exec'd sh sleeps a little).
if have_tool execsnoop; then
	mapfile -t HEX < <(python3 "$ESC" args)
	run_hostile_execs() {
		python3 - "${HEX[@]}" <<'PY'
import subprocess, sys
args = [bytes.fromhex(h) for h in sys.argv[1:]]
for a in args:
    subprocess.run([b"/bin/sh", b"-c", b"sleep 0.2", b"reliability-argv", a])
PY
	}
	for mode in text json; do
		flag=(); [ "$mode" = json ] && flag=(-j)
		start_tool "argv-$mode" "$SNOOP_BIN/execsnoop" "${flag[@]}" -n '^sh$'
		run_hostile_execs
		sleep 0.5
		stop_tool "$BG_PID" INT
		[ "$BG_STATUS" = 0 ] || fail "execsnoop $mode: exit $BG_STATUS"
		python3 "$ESC" text "$WORK/argv-$mode.out" || fail "execsnoop $mode output has raw bytes"
		REL_INPUTS=$((REL_INPUTS + ${#HEX[@]}))
	done
	python3 "$ESC" json "$WORK/argv-json.out" argv "${HEX[@]}" || fail "execsnoop -j does not round-trip argv"
	rel_check "execsnoop with hostile argv"
fi
note "hostile inputs tried: $REL_INPUTS"
