#!/usr/bin/env bash
# A line printed later must show the cgroup of its exec, not of its print.
# execsnoop without the C library's uprobes (--no-libc) reads each exec's
# arguments from /proc and holds the line until the read is proven (a
# millisecond or so); a process that moves itself to another cgroup right
# after its exec must not take its held line along. Five chains of
#   bash (in this script's cgroup) -> moves to A, execs sh -> moves to B,
#   execs sleep
# must give bash in ours, sh in A and sleep in B, in JSON and in text (-C).
# Before the fix the held sh lines said B.
. "$(dirname "$0")/lib.sh"

cgroup_v2_pair snoop-cgh
OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
snapshot_tracefs "$WORK/before"

start_tool j "$SNOOP_BIN/execsnoop" --no-libc -C -j
J=$BG_PID
start_tool t "$SNOOP_BIN/execsnoop" --no-libc -C
T=$BG_PID
for _ in 1 2 3 4 5; do
	bash -c "echo \$\$ >'$CGV2/$A/cgroup.procs'; exec sh -c 'echo \$\$ >\"$CGV2/$B/cgroup.procs\"; exec sleep 0.05'" ||
		fail "the workload failed"
done
sleep 0.5
for t in "$J" "$T"; do
	stop_tool "$t" INT
	[ "$BG_STATUS" = 0 ] || fail "execsnoop: exit status $BG_STATUS: $(cat "$WORK"/*.err)"
done
assert_json_lines "$WORK/j.out" >/dev/null

python3 - "$WORK/j.out" "$OWN" "/$A" "/$B" "$$" <<'PY' || fail "execs in the wrong cgroup (above)"
import json, sys
out, own, A, B, me = sys.argv[1:6]
recs = [json.loads(l) for l in open(out, encoding="utf-8", errors="surrogateescape")]
# A chain is a PID of ours whose execs are bash, sh, sleep (by the kernel's
# file name: a late argv may be the next exec's, and is marked so).
bypid = {}
for r in recs:
    if str(r["ppid"]) == me and r["filename"]:
        bypid.setdefault(r["pid"], []).append(r)
chains = [v for v in bypid.values() if [r["filename"].rsplit("/", 1)[-1] for r in v] == ["bash", "sh", "sleep"]]
want = {"bash": own, "sh": A, "sleep": B}
errs = []
got = {}
for v in chains:
    for r in v:
        name = r["filename"].rsplit("/", 1)[-1]
        got.setdefault(name, []).append(r["cgroup"])
        if r["cgroup"] != want[name] or r["cgroup_source"] != "event":
            errs.append(f'{name} pid {r["pid"]}: cgroup {r["cgroup"]} ({r["cgroup_source"]}), want {want[name]}')
mine = [r for v in chains for r in v]
held = sum(1 for r in mine if r["args_source"] in ("proc-checked", "late"))
if len(chains) != 5:
    errs.append(f"{len(chains)} chains of bash, sh, sleep seen, want 5: {bypid}")
print(f"{len(chains)} chains, {held} of their lines with arguments read from /proc (held); cgroups {got}")
if held < 5:
    errs.append("fewer than 5 lines were held: the test did not test the held path")
for e in errs:
    print("MISMATCH:", e)
sys.exit(1 if errs else 0)
PY
# Text: the same in the CGROUP column (the first).
# (COMM is the kernel's file name; the held lines are bash, sh and sleep.)
[ "$(grep -c "^/$A  *[0-9]*  *[0-9?]*  *sh " "$WORK/t.out")" = 5 ] ||
	fail "text: the sh lines are not all in /$A: $(grep -v '^CGROUP' "$WORK/t.out" | grep ' sh ')"
[ "$(grep -c "^/$B  *[0-9]*  *[0-9?]*  *sleep " "$WORK/t.out")" = 5 ] ||
	fail "text: the sleep lines are not all in /$B: $(grep ' sleep ' "$WORK/t.out")"
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note ok
