#!/usr/bin/env bash
# Counts keyed by cgroup (cgroup v2): two cgroups A and B and a workload of
# known getppid() counts in each:
#   A: a1 (put in A before the tools start: the start scan) 120 calls,
#      a2 (moved into A after the start: an attach record) 80 calls
#   B: b1 (put in B before the start) 200 calls, and a child b1 forks
#      after the start (in B by fork inheritance) 70 calls
# then a1, a2 and b1 exec a program of a name nothing else runs.
# kprobe -c --by cgroup must count exactly 200 in A and 270 in B, in user
# space (--verbose says why: hist keys have no cgroup); execsnoop
# --top -C (not a terminal) must key the exec rows by cgroup: 2 in A, 1 in
# B; kprobe --top -C must show A's 200 and B's 270 in rows keyed by
# cgroup. tracefs is left as it was.
. "$(dirname "$0")/lib.sh"

command -v cc >/dev/null || skip "no C compiler for the getppid workload"

# Usage: --by cgroup goes with -c (argp, before tracefs is touched).
rc=0
"$SNOOP_BIN/kprobe" --by cgroup t:syscalls:sys_enter_getppid >/dev/null 2>"$WORK/usage.err" || rc=$?
[ "$rc" = 64 ] && grep -q -- "--by cgroup goes with -c" "$WORK/usage.err" ||
	fail "kprobe --by cgroup without -c: exit $rc: $(cat "$WORK/usage.err")"

rc=0
"$SNOOP_BIN/kprobe" --hist ret -C t:syscalls:sys_exit_getppid >/dev/null 2>"$WORK/usage.err" || rc=$?
[ "$rc" = 64 ] && grep -q -- "-C goes with lines, -c and --top" "$WORK/usage.err" ||
	fail "kprobe --hist -C (no cgroup key: refused, not ignored): exit $rc: $(cat "$WORK/usage.err")"

cgroup_v2_pair snoop-cgt

# loop GO N CHILD_N PROG: wait for GO, call getppid N times, fork a child
# that calls it CHILD_N times (0: none), wait for it, exec PROG.
cat >"$WORK/loop.c" <<'EOF'
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n, cn;

	if (argc != 5)
		return 2;
	n = atoi(argv[2]);
	cn = atoi(argv[3]);
	while (access(argv[1], F_OK) != 0)
		usleep(20000);
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (cn > 0) {
		pid_t c = fork();

		if (c < 0)
			return 3;
		if (c == 0) {
			for (int i = 0; i < cn; i++)
				syscall(SYS_getppid);
			_exit(0);
		}
		if (waitpid(c, NULL, 0) != c)
			return 4;
	}
	execl(argv[4], argv[4], (char *)NULL);
	return 5;
}
EOF
cc -O -Wall -o "$WORK/loop" "$WORK/loop.c" || fail "cannot build the getppid workload"
PROG=$WORK/snoopcgtop_true
cp /bin/true "$PROG"
snapshot_tracefs "$WORK/before"

GO=$WORK/go
"$WORK/loop" "$GO" 120 0 "$PROG" & A1=$!
"$WORK/loop" "$GO" 80 0 "$PROG" & A2=$!
"$WORK/loop" "$GO" 200 70 "$PROG" & B1=$!
BG_PIDS+=("$A1" "$A2" "$B1")
echo "$A1" >"$CGV2/$A/cgroup.procs"
echo "$B1" >"$CGV2/$B/cgroup.procs"

start_tool k "$SNOOP_BIN/kprobe" --verbose -j -c --by cgroup t:syscalls:sys_enter_getppid
K=$BG_PID
start_tool kt "$SNOOP_BIN/kprobe" -c --by cgroup t:syscalls:sys_enter_getppid
KT=$BG_PID
start_tool e "$SNOOP_BIN/execsnoop" --top -C -i 1 -n '^snoopcgtop_'
E=$BG_PID
start_tool ktop "$SNOOP_BIN/kprobe" --top -C -i 1 t:syscalls:sys_enter_getppid
KTOP=$BG_PID
start_tool kc "$SNOOP_BIN/kprobe" -c -C t:syscalls:sys_enter_getppid
KC=$BG_PID

echo "$A2" >"$CGV2/$A/cgroup.procs"
touch "$GO"
for p in "$A1" "$A2" "$B1"; do wait "$p" || fail "workload $p failed"; done
sleep 1.5
for t in "$K" "$KT" "$E" "$KTOP" "$KC"; do
	stop_tool "$t" INT
	[ "$BG_STATUS" = 0 ] || fail "tool $t: exit status $BG_STATUS: $(cat "$WORK"/*.err)"
done
assert_json_lines "$WORK/k.out" >/dev/null
grep -q "counting in user space, one record per hit: --by cgroup" "$WORK/k.err" ||
	fail "kprobe --verbose does not say that --by cgroup counts in user space: $(cat "$WORK/k.err")"

python3 - "$WORK/k.out" "/$A" "/$B" <<'PY' || fail "kprobe -c --by cgroup counts (above)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = {r["cgroup"]: r["count"] for r in rows if r.get("type") == "count"}
print("kprobe -c --by cgroup:", got)
want = {sys.argv[2]: 200, sys.argv[3]: 270}
bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
sys.exit(1 if bad else 0)
PY
# Text: a CGROUP column, the two rows.
head -n 1 "$WORK/kt.out" | grep -qE '^EVENT +CGROUP +COUNT$' ||
	fail "kprobe -c --by cgroup text header: $(head -n 1 "$WORK/kt.out")"
grep -qE "^sys_enter_getppid +/$A +200\$" "$WORK/kt.out" &&
	grep -qE "^sys_enter_getppid +/$B +270\$" "$WORK/kt.out" ||
	fail "kprobe -c --by cgroup text: $(cat "$WORK/kt.out")"
# -c -C is -c --by cgroup (as functrace's).
grep -qE "^sys_enter_getppid +/$A +200\$" "$WORK/kc.out" &&
	grep -qE "^sys_enter_getppid +/$B +270\$" "$WORK/kc.out" ||
	fail "kprobe -c -C text: $(cat "$WORK/kc.out")"

# execsnoop --top -C: the last table (printed at the end) keys by cgroup.
out=$WORK/e.out
grep -qE '^ +COUNT +LAST PID +LAST PPID +CGROUP COMMAND$' "$out" || { cat "$out" >&2; fail "no CGROUP COMMAND column"; }
last=$(awk '/^ +COUNT +LAST PID/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$out")
grep -qE "^ +2 +[0-9]+ +[0-9]+ /$A .*/snoopcgtop_true\$" <<<"$last" ||
	{ cat "$out" >&2; fail "last table lacks A's two execs"; }
grep -qE "^ +1 +$B1 +[0-9]+ /$B .*/snoopcgtop_true\$" <<<"$last" ||
	{ cat "$out" >&2; fail "last table lacks B's exec"; }
[ "$(grep -c snoopcgtop_true <<<"$last")" = 2 ] || { cat "$out" >&2; fail "other rows in the last table"; }

# kprobe --top -C: a CGROUP column in the key; the last table has A's 200
# and B's 270 (user space: the kernel's hist keys have no cgroup).
out=$WORK/ktop.out
grep -qE '^ +COUNT +PROCS +LAST PID +CGROUP +PROBE$' "$out" || { cat "$out" >&2; fail "kprobe --top -C: no CGROUP column"; }
last=$(awk '/^ +COUNT +PROCS/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$out")
grep -qE "^ +200 +[0-9]+ +[0-9]+ /$A +sys_enter_getppid\$" <<<"$last" &&
	grep -qE "^ +270 +2 +[0-9]+ /$B +sys_enter_getppid\$" <<<"$last" ||
	{ cat "$out" >&2; fail "kprobe --top -C: the last table lacks A's 200 or B's 270 (above)"; }

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
