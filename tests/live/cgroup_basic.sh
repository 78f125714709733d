#!/usr/bin/env bash
# --cgroup and -C against the kernel (cgroup v2): two cgroups A and B, and
# four bash workloads that signal themselves (kill -0: the shell's builtin,
# /bin/kill exec'd, and a short-lived `sh -c` child):
#   PA1, PB1  put in A and B before the tools start (the start scan)
#   PA2       moves itself into A after the start (writes cgroup.procs)
#   PB2       moved into B by this script (a writer outside the cgroup)
# each sends SIGCONT to itself before its move. killsnoop and execsnoop,
# unfiltered with -C, must place every record in the right cgroup (the
# SIGCONT before the move in the cgroup of this script); --cgroup A and
# --cgroup B (one relative, one absolute path) must keep exactly their side,
# with nothing from any other cgroup. tracefs is left as it was.
. "$(dirname "$0")/lib.sh"

cgroup_v2_pair snoop-cg
OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)

cat >"$WORK/w.sh" <<'EOF'
#!/bin/bash
# w.sh GO1 GO2 [CGROUP_DIR]
while [ ! -e "$1" ]; do sleep 0.02; done
kill -CONT $$
[ -n "${3:-}" ] && echo $$ >"$3/cgroup.procs"
while [ ! -e "$2" ]; do sleep 0.02; done
kill -0 $$
/bin/kill -0 $$
sh -c 'kill -0 $PPID'
EOF
chmod +x "$WORK/w.sh"
command -v cc >/dev/null || skip "no C compiler for the clone3 workload"
cc -O -Wall -o "$WORK/clone3" "$(dirname "$0")/cgroup_clone3.c" || fail "cannot build cgroup_clone3.c"
snapshot_tracefs "$WORK/before"

GO1=$WORK/go1 GO2=$WORK/go2
"$WORK/w.sh" "$GO1" "$GO2" & PA1=$!
"$WORK/w.sh" "$GO1" "$GO2" "$CGV2/$A" & PA2=$!
"$WORK/w.sh" "$GO1" "$GO2" & PB1=$!
"$WORK/w.sh" "$GO1" "$GO2" & PB2=$!
BG_PIDS+=("$PA1" "$PA2" "$PB1" "$PB2")
echo "$PA1" >"$CGV2/$A/cgroup.procs"
echo "$PB1" >"$CGV2/$B/cgroup.procs"

start_tool k_all "$SNOOP_BIN/killsnoop" -C -j
K_ALL=$BG_PID
start_tool k_a "$SNOOP_BIN/killsnoop" --cgroup "$A" -C -j
K_A=$BG_PID
start_tool k_b "$SNOOP_BIN/killsnoop" --cgroup "$CGV2/$B" -j -C
K_B=$BG_PID
# -n sh: the kernel keeps sh's calls only, but bash's forks of sh must
# still be seen, or the short-lived sh would have no known cgroup.
start_tool k_n "$SNOOP_BIN/killsnoop" --cgroup "$A" -n sh -C -j
K_N=$BG_PID
start_tool e_all "$SNOOP_BIN/execsnoop" -C -j
E_ALL=$BG_PID
start_tool e_a "$SNOOP_BIN/execsnoop" --cgroup "$A" -C -j
E_A=$BG_PID
start_tool e_t "$SNOOP_BIN/execsnoop" --cgroup "$B" -C
E_T=$BG_PID

touch "$GO1"
sleep 0.5
echo "$PB2" >"$CGV2/$B/cgroup.procs"
touch "$GO2"
for p in "$PA1" "$PA2" "$PB1" "$PB2"; do wait "$p" || fail "workload $p failed"; done
# A child that clone3 puts into B (CLONE_INTO_CGROUP): no event says so.
C3=$("$WORK/clone3" "$CGV2/$B" 200) || fail "clone3 with CLONE_INTO_CGROUP failed"
sleep 0.5
for t in "$K_ALL" "$K_A" "$K_B" "$K_N" "$E_ALL" "$E_A" "$E_T"; do
	stop_tool "$t" INT
	[ "$BG_STATUS" = 0 ] || fail "tool $t: exit status $BG_STATUS: $(cat "$WORK"/*.err)"
done
for f in k_all k_a k_b k_n e_all e_a; do assert_json_lines "$WORK/$f.out" >/dev/null; done

python3 - "$WORK" "/$A" "/$B" "$OWN" "$PA1" "$PA2" "$PB1" "$PB2" "$C3" <<'PY' || fail "records in the wrong cgroup (above)"
import json, sys
from collections import Counter
w, A, B, own = sys.argv[1:5]
pa1, pa2, pb1, pb2, c3 = sys.argv[5:10]
def load(n):
    return [json.loads(l) for l in open(f"{w}/{n}.out", encoding="utf-8", errors="surrogateescape")]
errs = []
# target -> what its records must say: (signal, cgroup)
want = {pa1: [("SIGCONT", A)] + [("0", A)] * 3, pa2: [("SIGCONT", own)] + [("0", A)] * 3,
        pb1: [("SIGCONT", B)] + [("0", B)] * 3, pb2: [("SIGCONT", own)] + [("0", B)] * 3}
def under(cg, top):
    return cg == top or (cg or "").startswith(top + "/")
def check_kill(name, keep):
    recs = load(name)
    for t, exp in want.items():
        got = Counter((r["signal"], r["cgroup"]) for r in recs if r["target"] == t)
        exp = Counter(e for e in exp if keep is None or under(e[1], keep))
        if got != exp:
            errs.append(f"{name}: target {t}: got {dict(got)}, want {dict(exp)}")
    for r in recs:
        if r["target"] == c3:
            continue
        if r["cgroup_source"] is None:
            errs.append(f"{name}: cgroup unknown: {r}")
        if keep and not under(r["cgroup"], keep):
            errs.append(f"{name}: a record from outside {keep}: {r}")
    print(f"{name}: {len(recs)} records")
# The clone3 child: in B, read from /proc (marked), in k_all and k_b only.
for name, n in (("k_all", 1), ("k_a", 0), ("k_b", 1)):
    got = [(r["cgroup"], r["cgroup_source"]) for r in load(name) if r["target"] == c3]
    if got != [(B, "proc")] * n:
        errs.append(f"{name}: clone3 child {c3}: got {got}")
check_kill("k_all", None)
check_kill("k_a", A)
check_kill("k_b", B)
def check_exec(name, keep):
    recs = load(name)
    for t in (pa1, pa2, pb1, pb2):
        cg = A if t in (pa1, pa2) else B
        got = [r["cgroup"] for r in recs if r["argv"] == ["/bin/kill", "-0", t]]
        exp = [cg] if keep is None or cg == keep else []
        if got != exp:
            errs.append(f"{name}: /bin/kill -0 {t}: got {got}, want {exp}")
    for r in recs:
        if keep and not under(r["cgroup"], keep):
            errs.append(f"{name}: an exec from outside {keep}: {r}")
    print(f"{name}: {len(recs)} records")
kn = load("k_n")
got = sorted((r["target"], r["comm"], r["cgroup"], r["cgroup_source"]) for r in kn)
exp = sorted((t, "sh", A, "event") for t in (pa1, pa2))
if got != exp:
    errs.append(f"k_n: got {got}, want {exp}")
check_exec("e_all", None)
check_exec("e_a", A)
for e in errs:
    print("MISMATCH:", e)
sys.exit(1 if errs else 0)
PY
# Text: the CGROUP column after the header, B's /bin/kill lines, nothing else.
head -n 1 "$WORK/e_t.out" | grep -q '^CGROUP ' || fail "no CGROUP column in the text header: $(head -n 1 "$WORK/e_t.out")"
[ "$(grep -c "^/$B .*/bin/kill -0 \($PB1\|$PB2\)\$" "$WORK/e_t.out")" = 2 ] ||
	fail "execsnoop --cgroup B text: $(cat "$WORK/e_t.out")"
! grep -v "^CGROUP \|^/$B " "$WORK/e_t.out" || fail "execsnoop --cgroup B printed lines of other cgroups (above)"

# Paths that are no cgroup (or leave it, or steer a terminal), and two
# hierarchies at once: one escaped line, exit 64, before tracefs is touched.
V1=$(awk '$3 == "cgroup" { print $2; exit }' /proc/mounts)
for bad in "no-such-$$" "$A/../$B" $'\e[31m\xff' "/proc" ${V1:+"$V1"}; do
	rc=0
	if [ "$bad" = "$V1" ]; then
		"$SNOOP_BIN/killsnoop" --cgroup "$A" --cgroup "$bad" -d 1 >/dev/null 2>"$WORK/bad.err" || rc=$?
	else
		"$SNOOP_BIN/killsnoop" --cgroup "$bad" -d 1 >/dev/null 2>"$WORK/bad.err" || rc=$?
	fi
	[ "$rc" = 64 ] && grep -q "^killsnoop: invalid --cgroup" "$WORK/bad.err" ||
		fail "bad --cgroup '$bad': exit $rc: $(cat -v "$WORK/bad.err")"
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\xff]' "$WORK/bad.err" ||
		fail "bad --cgroup: control bytes in the message: $(cat -v "$WORK/bad.err")"
done

snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note "ok"
