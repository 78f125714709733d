#!/bin/bash
# killsnoop on Debian's kernels: each call of the workload (kill, tkill,
# tgkill, pidfd_send_signal; success, ESRCH, EPERM, EINVAL; real-time
# names) exactly as the workload itself reports it, and a sender that
# exits at once (sh -c 'kill -TERM $$') named from the kernel's records.
# vm-timeout: 40
set -euo pipefail
. /snoopvm/lib.sh
snapshot_tracefs

start_bg "$SNOOP_BIN/killsnoop" -j >out.json 2>err.txt
for ((i = 0; i < 300; i++)); do
	d=$(snoop_instance_of "$BG_PID")
	[[ -n $d ]] && snoop_armed "$d" && break
	[[ -d /proc/$BG_PID ]] || { cat err.txt >&2; fail "killsnoop died before arming"; }
	nap 0.1
done
snoop_armed "$d" || fail "killsnoop did not arm in 30 s"
kill_prog >prog.out
sh -c 'echo $$ >sh.pid; kill -TERM $$' || true
sleep 0.5
stop_bg
cat err.txt >&2

json_check out.json - <<'EOF'
own = [l.split() for l in open("prog.out")]
want = [(sc, int(sig), 0 if int(ret) == 0 else -int(e)) for sc, sig, ret, e in own]
mine = [r for r in rows if r["comm"] == "kill_prog"]
got = [(r["syscall"], r["signum"], r["ret"]) for r in mine]
assert got == want, ("workload", want, "killsnoop", got)
assert all(r["comm_source"] == "event" and r["pid"] == r["tid"] for r in mine), mine
assert {"SIGRTMIN", "SIGRTMIN+3", "SIGRTMAX"} <= {r["signal"] for r in mine}
assert {"ESRCH", "EPERM", "EINVAL", None} <= {r["errno"] for r in mine}
shpid = int(open("sh.pid").read())
sh = [r for r in rows if r["tid"] == shpid]
assert len(sh) == 1 and sh[0]["comm"] == "sh" and sh[0]["pid"] == shpid, sh
assert sh[0]["signal"] == "SIGTERM" and sh[0]["target"] == str(shpid) and sh[0]["ret"] == 0, sh
assert sh[0]["comm_source"] == "event" and sh[0]["pid_source"] == "event", sh
EOF
assert_tracefs_unchanged
