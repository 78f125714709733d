#!/usr/bin/env bash
# --cgroup on a cgroup v1 hierarchy (Docker's on older hosts): a child
# cgroup of this script's own in the first v1 hierarchy that takes one
# (memory, or name=systemd), given by its full path. A bash process moved
# into it after the start (by this script, a writer outside) signals itself
# with the builtin kill and from a short-lived `sh -c` child; one beside it
# outside does the same. killsnoop --cgroup V1PATH -C -j must keep exactly
# the moved process's calls after its move, each with the v1 path.
. "$(dirname "$0")/lib.sh"

V1= REL=
for h in memory systemd; do
	mnt=$(awk -v h="$h" '$3 == "cgroup" && $2 ~ ("/" h "$") { print $2; exit }' /proc/mounts)
	[ -n "$mnt" ] || continue
	own=$(awk -F: -v h="$h" '$2 == h || $2 == "name=" h { print $3; exit }' /proc/self/cgroup)
	REL=${own%/}/snoop-cg1-$$
	mkdir "$mnt$REL" 2>/dev/null && { V1=$mnt$REL; break; }
done
[ -n "$V1" ] || skip "no v1 cgroup hierarchy where a cgroup can be made"
trap 'rc=$?; set +e; for p in $(cat "$V1/cgroup.procs" 2>/dev/null); do kill -9 "$p"; done; sleep 0.1; rmdir "$V1" 2>/dev/null; (exit $rc); cleanup_live' EXIT
snapshot_tracefs "$WORK/before"

mkfifo "$WORK/go_in" "$WORK/go_out"
# ("; true": bash -c would exec its last command in place, no child)
bash -c 'read -r _ <"$1"; kill -0 $$; sh -c "kill -0 \$PPID"; true' sh "$WORK/go_in" & IN=$!
bash -c 'read -r _ <"$1"; kill -0 $$; sh -c "kill -0 \$PPID"; true' sh "$WORK/go_out" & OUT=$!
BG_PIDS+=("$IN" "$OUT")
start_tool k "$SNOOP_BIN/killsnoop" --cgroup "$V1" -C -j
K=$BG_PID
kill -CONT "$IN"   # sent by this script: outside, not kept
echo "$IN" >"$V1/cgroup.procs"
echo >"$WORK/go_in"
echo >"$WORK/go_out"
wait "$IN" "$OUT" || fail "workload failed"
sleep 0.5
stop_tool "$K" INT
[ "$BG_STATUS" = 0 ] || fail "exit status $BG_STATUS: $(cat "$WORK/k.err")"
assert_json_lines "$WORK/k.out" >/dev/null
python3 - "$WORK/k.out" "$REL" "$IN" "$OUT" <<'PY' || fail "--cgroup on v1 kept the wrong records (above)"
import json, sys
f, rel, pin, pout = sys.argv[1:]
recs = [json.loads(l) for l in open(f)]
mine = [r for r in recs if r["target"] == pin]
assert len(mine) == 2 and all(r["signal"] == "0" for r in mine), recs
assert all(r["cgroup"] == rel and r["cgroup_source"] == "event" for r in recs), recs
assert not [r for r in recs if r["target"] == pout], recs
print(f"{len(recs)} records, all in {rel}")
PY
snapshot_tracefs "$WORK/after"
assert_tracefs_same "$WORK/before" "$WORK/after"
note ok
