# shellcheck shell=bash
# The 100,000-open loop of loop_loss.sh and loop_lossless.sh (one boot each
# fits in a minute): every event accounted for exactly: 2 per open (the
# kprobe entry and the exit) = those in the records + those lost; the
# {"type":"lost"} records add up to the total on stderr; and no record pairs
# an entry with another open's exit (the loop alternates an existing file
# opened O_RDONLY and a missing one opened O_RDONLY|O_CLOEXEC, so a wrong
# pairing shows a path with the other one's flags or result).
. "$SNOOP_TEST_DIR/helpers.bash"
require_kprobes
N=100000
echo data >f

# run_loop NAME STOP OPENSNOOP_ARGS...: STOP=1 holds opensnoop through the
# middle half of the loop (and requires a loss), STOP=0 requires none.
run_loop() {
	local name=$1 stop=$2
	shift 2
	rm -rf go ids p1 c1 p2 c2
	opener loop $N "$PWD/f" "$PWD/missing" >"$name.out" 2>ids &
	OPENER=$!
	wait_for_file ids -g '[0-9]'
	read -r OPID _ <ids
	echo "# opensnoop -j -v -p $OPID $* > $name.json" >&2
	start_bg "$OS" -j -v -p "$OPID" "$@" >"$name.json" 2>"$name.err"
	wait_armed "$BG_PID"
	touch go
	wait_for_file p1 -t 300
	((stop)) && kill -STOP "$BG_PID"
	touch c1
	wait_for_file p2 -t 300
	((stop)) && kill -CONT "$BG_PID"
	touch c2
	wait "$OPENER" || fail "opener loop failed: $(cat ids)"
	stop_bg -t 90
	# stderr, but of the loss notices (one a second at most) only the last
	grep -v '^opensnoop: lost ' "$name.err" >&2 || true
	grep '^opensnoop: lost ' "$name.err" | tail -n 1 >&2 || true
	grep -m 2 '"type":"lost"' "$name.json" >&2 || true
	grep '"type":"lost".*"final":true' "$name.json" >&2 || true
	python3 -S -I - "$N" "$OPID" "$PWD/f" "$PWD/missing" "$name.json" "$name.err" "$stop" <<'PY' || fail "$name: loop accounting failed"
import json, re, sys
n, pid = int(sys.argv[1]), int(sys.argv[2])
A, B, fn, errfn, stopped = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7] == "1"
O_CLOEXEC, O_LARGEFILE, ENOENT = 0o2000000, 0o100000, 2
# path -> (flags, result ok?)
want = {A: (0, lambda r: r["fd"] >= 0 and r["errno"] is None and r["ret"] == r["fd"]),
        B: (O_CLOEXEC, lambda r: r["fd"] == -1 and r["errno"] == ENOENT and r["errno_name"] == "ENOENT")}
events = lost_sum = lost_null = after_loss = 0
kinds = {"both": 0, "entry": 0, "exit": 0}
bad = []
prev = None  # (path of the last complete record) with nothing between
for line in open(fn, encoding="utf-8", errors="surrogateescape"):
    r = json.loads(line)
    if r["type"] == "lost":
        if not r.get("final"):
            after_loss = 0
        if r["lost"] is None:
            lost_null += 1
        else:
            lost_sum += r["lost"]
        prev = None
        continue
    if r["type"] != "open" or r["tid"] != pid or r["pid"] != pid:
        bad.append(("not the loop's", r))
        continue
    has_entry, has_exit = r["path_status"] != "lost", r["ret"] is not None
    events += has_entry + has_exit
    if has_entry and has_exit:
        kinds["both"] += 1
        after_loss += 1
    elif has_entry:
        kinds["entry"] += 1
    elif has_exit:
        kinds["exit"] += 1
    else:
        bad.append(("neither entry nor exit", r))
    if has_exit and r["syscall"] != "openat":
        bad.append(("syscall", r))
    if has_entry:
        if r["path_status"] != "ok" or r["path"] not in want:
            bad.append(("path", r))
            prev = None
            continue
        flags, result_ok = want[r["path"]]
        if r["flags"] & ~O_LARGEFILE != flags or r["dfd"] != -100:
            bad.append(("flags of the path", r))
        if has_exit and not result_ok(r):
            bad.append(("result of the other path (stale pairing)", r))
    elif has_exit and not any(ok(r) for _, ok in want.values()):
        bad.append(("result", r))
    # Two complete opens in a row with nothing lost or partial between
    # them are consecutive opens of the loop: the other path each time.
    if has_entry and has_exit:
        if prev == r["path"]:
            bad.append(("same path twice in a row", r))
        prev = r["path"]
    else:
        prev = None
err = open(errfn, encoding="utf-8", errors="replace").read()
totals = [int(m) for m in re.findall(r"lost \d+ events \(ring buffer full, (\d+) in all\)", err)]
total = totals[-1] if totals else 0
m = re.search(r"events lost: (\d+)$", err, re.M)
print(f"{fn}: {n} opens, {2 * n} events: {events} in records "
      f"({kinds['both']} complete, {kinds['entry']} without exit, {kinds['exit']} without entry), "
      f"lost records {lost_sum} (+{lost_null} unknown), stderr total {total}, -v {m and m.group(1)}")
for why, r in bad[:5]:
    print(f"  {why}: {r}")
assert not bad, f"{len(bad)} bad records"
assert m, "no -v summary"
assert lost_sum == total == int(m.group(1)), "the lost records, stderr and -v disagree"
assert events + total == 2 * n, f"{events} events in records + {total} lost != {2 * n} generated"
if stopped:
    # Held through 50,000 opens with a 256 KiB buffer: a loss for certain,
    # and the last quarter of the loop ran after it.
    assert total > 0, "no loss although opensnoop was stopped"
    assert after_loss > 0, "no complete open after the last loss"
    print(f"complete opens after the last loss: {after_loss}")
else:
    assert total == 0 and kinds["both"] == n, "the buffer holds the whole run, yet something is missing"
PY
}

