#!/usr/bin/env bash
# Issue 9: each tool once under valgrind memcheck for a short trace (-d):
# no invalid access, no uninitialised use, no leak (definite or indirect)
# but the known libtracefs/libtraceevent ones in tests/valgrind.supp. The
# tracefs state afterwards equals the state before.
. "$(dirname "$0")/reliability_lib.bash"
command -v valgrind >/dev/null || skip "valgrind not installed"
ldd "$SNOOP_BIN/execsnoop" 2>/dev/null | grep -q libasan && skip "ASan build: valgrind runs on the plain build"
SUPP=$SNOOP_SRC/tests/valgrind.supp
rel_before
declare -A CMD=(
	[execsnoop]="execsnoop -d 2"
	[opensnoop]="opensnoop -d 2 -j"
	[kprobe]="kprobe -d 2 t:syscalls:sys_enter_openat"
	[functrace]="functrace -d 2 vfs_read"
)
for tool in execsnoop opensnoop kprobe functrace; do
	have_tool "$tool" || { note "$tool not built: skipped"; continue; }
	read -r -a cmd <<<"${CMD[$tool]}"
	cmd[0]=$SNOOP_BIN/${cmd[0]}
	( for _ in $(seq 1 40); do poke; sleep 0.1; done ) &
	w=$!
	st=0
	valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --suppressions="$SUPP" --track-fds=no \
		--log-file="$WORK/vg-$tool.log" "${cmd[@]}" >/dev/null 2>"$WORK/vg-$tool.err" || st=$?
	kill "$w" 2>/dev/null || true; wait "$w" 2>/dev/null || true
	if [ "$st" = 99 ]; then
		cat "$WORK/vg-$tool.log" >&2
		fail "$tool: valgrind found errors (log above)"
	fi
	# functrace is refused on a locked-down kernel (exit 1): still checked
	[ "$st" = 0 ] || [ "$tool" = functrace ] || fail "$tool under valgrind: exit $st: $(cat "$WORK/vg-$tool.err")"
	note "$tool: $(grep -E 'ERROR SUMMARY|definitely lost' "$WORK/vg-$tool.log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')"
	rel_check "$tool under valgrind"
done
