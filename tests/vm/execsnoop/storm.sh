#!/bin/bash
# An exec storm of 1,000 short-lived processes: every one reported, once,
# with the right PPID; then 2,000 from 4 parallel shells: every one reported
# exactly once with the right PID/PPID, or the loss reported.
# vm-timeout: 180
set -euo pipefail
. "$(dirname "$0")/common.bash"
snapshot_tracefs

es_start storm.out -j -v
t0=$(date +%s)
bash -c 'echo $$ >shell.pid; for i in $(seq 1 1000); do /bin/true storm $i; done'
note "1000 execs took $(( $(date +%s) - t0 )) s in this guest"
es_stop storm.out
json_check storm.out - <<PY
ppid = int(open("shell.pid").read())
hits = [r for r in rows if r.get("filename") == "/bin/true" and r["argv"][:1] == ["/bin/true"]]
lost = sum(r.get("lost") or 0 for r in rows if r.get("type") == "lost")
seen = sorted(int(r["argv"][2]) for r in hits)
assert lost == 0, f"{lost} events lost"
assert seen == list(range(1, 1001)), f"{len(seen)} execs seen, {len(set(seen))} distinct"
bad = [r for r in hits if r["ppid"] != ppid]
assert not bad, f"{len(bad)} with a wrong ppid, e.g. {bad[:2]} (want {ppid})"
PY
grep -E 'recovered from /proc' storm.out.err >&2 || true

es_start par.out -j -v
t0=$(date +%s)
shells=()
for s in 1 2 3 4; do
	bash -c 'echo $$ >par'$s'.pid; for i in $(seq 1 500); do /bin/true par '$s' $i; done' &
	shells+=($!)
done
# (a bare `wait` would also wait for execsnoop, a background job too)
wait "${shells[@]}"
note "2000 execs from 4 shells took $(( $(date +%s) - t0 )) s"
es_stop par.out
json_check par.out - <<'PY'
ppids = {int(open(f"par{s}.pid").read()): s for s in (1, 2, 3, 4)}
hits = [r for r in rows if r.get("filename") == "/bin/true" and r["argv"][1:2] == ["par"]]
lost = sum(r.get("lost") or 0 for r in rows if r.get("type") == "lost")
keys = [(r["argv"][2], r["argv"][3]) for r in hits]
assert len(keys) == len(set(keys)), "an exec was reported twice"
assert len(keys) + lost >= 2000, f"{len(keys)} reported + {lost} lost < 2000"
for r in hits:
    assert ppids.get(r["ppid"]) == int(r["argv"][2]), f"wrong ppid {r}"
pids = [r["pid"] for r in hits]
assert len(pids) == len(set(pids)), "two execs with one pid"
PY
grep -E 'recovered from /proc' par.out.err >&2 || true
assert_tracefs_unchanged
