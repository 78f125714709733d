#!/usr/bin/env bash
# Issue 9, loss: the tool is stopped (SIGSTOP) with the smallest ring buffer
# (-b 4) while a storm runs, so the buffer overflows for certain. After
# SIGCONT it keeps running and:
#  - reports the loss on stderr and as {"type":"lost",...} JSON records whose
#    "lost" counts add up exactly to the total on stderr (records with
#    "lost": null mark where an unknown number went; the remainder per CPU
#    comes at the end with "final": true);
#  - opensnoop: of the N opens of the storm (filtered in the kernel by its
#    comm), between N - lost and N are reported, each with a right fd and
#    flags (no entry paired with the wrong exit after the loss);
#  - still sees a marker after the loss; tracefs is left as it was.
. "$(dirname "$0")/reliability_lib.bash"
command -v python3 >/dev/null || skip "needs python3"
rel_before

# storm COMM N EXECS: set the command name to COMM, then N opens of
# /etc/hostname (O_RDONLY) and EXECS runs of /bin/true. (opensnoop's storm
# runs nothing: a forked child opens /proc/self/fd under the same name.)
storm() { python3 -c '
import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME
n, execs = int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    os.close(os.open("/etc/hostname", os.O_RDONLY))
    if execs and i % (n // execs) == 0:
        subprocess.run(["/bin/true"])
' "$1" "$2" "$3"; }
N=20000
cp /bin/sleep "$WORK/lmarker" # the file name comes from the kernel, always
for tool in execsnoop opensnoop; do
	have_tool "$tool" || continue
	args=(-j -b 4)
	execs=400
	[ "$tool" = opensnoop ] && args+=(-n lstorm) && execs=0
	start_tool "loss-$tool" "$SNOOP_BIN/$tool" "${args[@]}"
	pid=$BG_PID
	kill -STOP "$pid"
	storm lstorm "$N" "$execs"
	kill -CONT "$pid"
	sleep 0.5
	# after the loss: a marker the tool must still see
	"$WORK/lmarker" 0.1
	python3 -c '
import ctypes, os
ctypes.CDLL(None).prctl(15, b"lstorm", 0, 0, 0)
os.close(os.open("/etc/passwd", os.O_RDONLY))'
	sleep 1
	kill -0 "$pid" || fail "$tool died during the overflow"
	stop_tool "$pid" INT
	[ "$BG_STATUS" = 0 ] || fail "$tool: exit $BG_STATUS: $(cat "$WORK/loss-$tool.err")"
	out=$WORK/loss-$tool.out err=$WORK/loss-$tool.err
	assert_json_lines "$out" >/dev/null
	python3 - "$out" "$err" "$tool" "$N" <<'PY' || fail "$tool: loss accounting"
import json, re, sys
out, err, tool, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = [json.loads(l) for l in open(out, encoding="utf-8", errors="surrogateescape")]
lost = [r for r in rows if r.get("type") == "lost"]
events = [r for r in rows if r.get("type") != "lost"]
total = sum(r["lost"] for r in lost if isinstance(r.get("lost"), int))
text = open(err).read()
m = re.findall(r"lost (\d+) events \(ring buffer full, (\d+) in all\)", text)
stderr_total = int(m[-1][1]) if m else 0
nulls = sum(1 for r in lost if r.get("lost") is None)
finals = sum(1 for r in lost if r.get("final"))
print(f"{tool}: {len(events)} events, {len(lost)} lost records ({nulls} without a count, "
      f"{finals} final) summing to {total}, stderr says {stderr_total}")
assert lost and total > 0, "no loss although the tool was stopped through the storm"
assert total == stderr_total, f"JSON lost records sum to {total}, stderr says {stderr_total}"
assert "did not say how many" not in text, text
if tool == "opensnoop":
    opens = [r for r in events if r.get("type") == "open" and r.get("comm") == "lstorm"]
    for r in opens:
        # a loss can split an entry from its exit: such an open is
        # reported without a result (fd null) or without flags (null)
        assert r.get("fd") is None or (r["fd"] >= 0 and r.get("errno") in (None, 0)), r
        assert (r.get("flags") or 0) & 3 == 0, r   # O_RDONLY, as the storm opened
    # the storm's opens plus the marker's; each lost record costs at most one
    assert n + 1 - total <= len(opens) <= n + 1 + 16, (len(opens), n, total)
    last_loss = max((x["time"] for x in lost if not x.get("final")), default=0)
    after = [r for r in opens if r["time"] > last_loss]
else:
    after = [r for r in events if (r.get("filename") or "").endswith("/lmarker")]
assert after, "no event seen after the loss"
PY
	rel_check "$tool after an overflow"
done
