#!/usr/bin/env bash
# Issue 9, loss: with the smallest ring buffer (-b 4) and an exec/open storm,
# the ring buffer overflows. The tool keeps running, reports the lost events
# on stderr and as {"type":"lost",...} JSON records, the count on stderr
# equals the sum of the JSON records' counts, and it still sees events after
# the loss (its pairing state survived). Clean afterwards.
. "$(dirname "$0")/reliability_lib.bash"
rel_before
storm() { python3 -c '
import os, subprocess, sys, time
end = time.time() + float(sys.argv[1])
while time.time() < end:
    for _ in range(200):
        os.close(os.open("/etc/hostname", os.O_RDONLY))
    subprocess.run(["/bin/true"])
' "$1"; }
for tool in execsnoop opensnoop; do
	have_tool "$tool" || continue
	start_tool "loss-$tool" "$SNOOP_BIN/$tool" -j -b 4
	pid=$BG_PID
	storm 3
	# after the storm: a marker the tool must still see
	sleep 0.5
	/bin/true reliability-after-loss; cat /etc/hostname >/dev/null
	sleep 1
	kill -0 "$pid" || fail "$tool died during the overflow"
	stop_tool "$pid" INT
	[ "$BG_STATUS" = 0 ] || fail "$tool: exit $BG_STATUS"
	out=$WORK/loss-$tool.out err=$WORK/loss-$tool.err
	assert_json_lines "$out" >/dev/null
	python3 - "$out" "$err" "$tool" <<'PY' || fail "$tool: loss accounting"
import json, re, sys
out, err, tool = sys.argv[1:]
rows = [json.loads(l) for l in open(out, encoding="utf-8", errors="surrogateescape")]
lost = [r for r in rows if r.get("type") == "lost"]
events = [r for r in rows if r.get("type") != "lost"]
total = sum(r["lost"] for r in lost if isinstance(r.get("lost"), int))
text = open(err).read()
m = re.findall(r"lost (\d+) events \(ring buffer full, (\d+) in all\)", text)
stderr_total = int(m[-1][1]) if m else 0
print(f"{tool}: {len(events)} events, {len(lost)} lost records summing to {total}, stderr says {stderr_total}")
if not lost:
    print(f"{tool}: NO OVERFLOW (the storm was too slow for -b 4): loss not exercised")
    sys.exit(0)
assert stderr_total >= total, "stderr reports fewer lost events than the JSON records"
after = [r for r in events if r["pid"] and (
    "reliability-after-loss" in json.dumps(r) or r.get("comm") == "cat")]
assert after, "no event seen after the loss"
PY
	rel_check "$tool after an overflow"
done
