#!/usr/bin/env bash
# Issue 9: each tool under valgrind memcheck, for a short trace (-d) and on
# error paths (refused filters, unknown events, refused options): no invalid
# access, no uninitialised use, no leak (definite or indirect) but the
# known library ones in tests/valgrind.supp. Prints "suppressed: N" per
# tool, and fails when an entry of tests/valgrind.supp is used by no run
# (not needed any more: remove it). The tracefs state afterwards equals the
# state before.
. "$(dirname "$0")/reliability_lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
# Not "ldd | grep -q": grep's early exit can kill ldd with SIGPIPE, and
# under pipefail the pipeline then fails, so the skip was not taken.
case "$(ldd "$REL_REAL_BIN/execsnoop" 2>/dev/null)" in
*libasan*) skip "ASan build: valgrind runs on the plain build" ;;
esac
SUPP=$SNOOP_SRC/tests/valgrind.supp
rel_before

# TOOL|EXPECTED EXIT|ARGS (fields split on '|', arguments on ';')
runs=(
	"execsnoop|0|-d;2"
	"execsnoop|0|-d;1;-j;-x"
	"execsnoop|64|-n;("
	"opensnoop|0|-d;2;-j"
	"opensnoop|0|-d;1;--libc"
	"opensnoop|64|-p;0"
	"kprobe|0|-d;2;t:syscalls:sys_enter_openat"
	"kprobe|0|-d;1;-j;t:sched:sched_process_exec;filename ~ \"/usr/*\""
	"kprobe|64|-d;1;t:sched:sched_process_exec;filename > \"x\""
	"kprobe|64|-d;1;-e;t:syscalls:sys_enter_openat;-e;t:syscalls:sys_enter_close if nosuch == 1"
	"kprobe|1|-d;1;t:nosuchsys:nosuchev"
	"functrace|any|-d;2;vfs_read"
)
declare -A SUPPRESSED USED
for r in "${runs[@]}"; do
	IFS='|' read -r tool want args <<<"$r"
	have_tool "$tool" || { note "$tool not built: skipped"; continue; }
	IFS=';' read -r -a a <<<"$args"
	( for _ in $(seq 1 30); do poke; sleep 0.1; done ) &
	w=$!
	st=0
	# The instance is named by valgrind's PID (the tool runs in it): the
	# shell records it for the snapshot, then becomes valgrind.
	sh -c 'echo $$ >>"$REL_PIDFILE"; exec "$@"' _ \
		valgrind -v --tool=memcheck --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--suppressions="$SUPP" --track-fds=no --num-callers=30 \
		--log-file="$WORK/vg.log" "$REL_REAL_BIN/$tool" "${a[@]}" >/dev/null 2>"$WORK/vg.err" || st=$?
	kill "$w" 2>/dev/null || true; wait "$w" 2>/dev/null || true
	if [ "$st" = 99 ]; then
		cat "$WORK/vg.log" >&2
		fail "$tool ${a[*]}: valgrind found errors (log above)"
	fi
	# functrace is refused on a locked-down kernel (exit 69): still checked
	[ "$want" = any ] || [ "$st" = "$want" ] || fail "$tool ${a[*]} under valgrind: exit $st, expected $want: $(cat "$WORK/vg.err")"
	n=$(sed -n 's/^==[0-9]*== *suppressed: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\2/p' "$WORK/vg.log" | tr -d , | tail -n 1)
	SUPPRESSED[$tool]=$((${SUPPRESSED[$tool]:-0} + ${n:-0}))
	# "used_suppression:  1 NAME FILE:LINE[ suppressed: B bytes in N blocks]"
	# (valgrind -v)
	while read -r cnt name; do
		USED[$name]=$((${USED[$name]:-0} + cnt))
	done < <(sed -nE 's/^--[0-9]+-- used_suppression: *([0-9]+) (.*) [^ ]+:[0-9]+( suppressed: .*)?$/\1 \2/p' "$WORK/vg.log")
	note "$tool ${a[*]}: exit $st, $(grep -E 'ERROR SUMMARY' "$WORK/vg.log" | sed 's/^==[0-9]*== //')"
done
for tool in execsnoop opensnoop kprobe functrace; do
	[ -n "${SUPPRESSED[$tool]:-}" ] && note "$tool: suppressed: ${SUPPRESSED[$tool]} leaked blocks"
done
# Every entry must still be needed.
while IFS= read -r name; do
	[ -n "${USED[$name]:-}" ] || fail "tests/valgrind.supp: no run needed '$name': remove it"
	note "used ${USED[$name]} times: $name"
done < <(awk '/^\{/ {getline; sub(/^[ \t]+/, ""); print}' "$SUPP")
rel_check "after the valgrind runs"
