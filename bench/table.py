#!/usr/bin/env python3
"""bench/run's table: medians and ratios from results.tsv and startup.tsv."""
import os
import platform
import statistics as st
import sys
from collections import defaultdict

tsv, sttsv, have_bpf, bpf_reason, load0, load1, reps, secs = sys.argv[1:9]


def kv(fields):
    d = {}
    for f in fields:
        if "=" in f:
            k, v = f.split("=", 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


runs = defaultdict(list)
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    if len(f) < 8:
        continue
    d = kv(f[8:])
    d.update(ops=int(f[3]), rate=float(f[4]), lines=int(f[5]), rep=int(f[6]), toollost=int(f[7]))
    runs[(f[0], f[1])].append(d)

med = lambda xs: st.median(xs) if xs else float("nan")


def cpu_model():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


print(f"Machine: {cpu_model()}, {os.cpu_count()} CPUs, kernel {platform.release()}; "
      f"load average {load0} at start, {load1} at the end.  ")
print(f"{reps} rounds of {secs} s per configuration, interleaved; medians.  ")
if have_bpf != "1":
    print(f"bpftrace: refused: {bpf_reason}  ")
sruns = defaultdict(list)
for line in open(sttsv):
    f = line.rstrip("\n").split("\t")
    sruns[f[0]].append(kv(f[2:]))
# The CPU a tool spends with nothing to trace (start-up, teardown): from
# the no-load runs, taken off before dividing by events ("net").
tool_of = {("open", "text"): "opensnoop", ("open", "json"): "opensnoop", ("open", "bpftrace"): "bpftrace-open",
           ("exec", "text"): "execsnoop", ("exec", "json"): "execsnoop", ("exec", "bpftrace"): "bpftrace-exec",
           ("kcall", "text"): "kprobe", ("kcall", "json"): "kprobe", ("kcall", "bpftrace"): "bpftrace-kcall"}
idle_cpu = {t: med([d["cpu_s"] for d in rs if "cpu_s" in d]) for t, rs in sruns.items()}

print()
names = {"open": "open/close loop", "exec": "fork+exec storm", "kcall": "getppid loop"}
tool_label = {"open": "opensnoop", "exec": "execsnoop", "kcall": "kprobe t:"}
print("| workload | config | rate/s | vs alone | vs floor | rate per workload CPU-s | vs alone | vs floor "
      "| generated → reported (median) | lost (median, worst; lossless runs) "
      "| tool CPU s per M events | net of start/stop | peak RSS MiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|")
netcpu = {}
usrcpu = {}
bytes_line = {}
sinkcpu = {}  # the pipe's reader (benchctl -p), CPU per line
for w in ("open", "exec", "kcall"):
    if not runs[(w, "alone")]:
        continue
    alone = med([d["rate"] for d in runs[(w, "alone")]])
    floor = med([d["rate"] for d in runs[(w, "floor")]])
    ealone = med([d["ops"] / d["wcpu"] for d in runs[(w, "alone")] if d.get("wcpu")])
    efloor = med([d["ops"] / d["wcpu"] for d in runs[(w, "floor")] if d.get("wcpu")])
    for c in ("alone", "floor", "text", "json", "bpftrace"):
        rs = runs[(w, c)]
        label = c if c in ("alone", "floor", "bpftrace") else \
            tool_label[w] + (" -j" if c == "json" else "")
        if not rs:
            if c == "bpftrace":
                print(f"| {names[w]} | bpftrace | refused: {bpf_reason} |" + " |" * 10)
            continue
        rate = med([d["rate"] for d in rs])
        eff = med([d["ops"] / d["wcpu"] for d in rs if d.get("wcpu")])
        row = [names[w], label, f"{rate:,.0f}", f"{rate / alone:.2f}", f"{rate / floor:.2f}",
               f"{eff:,.0f}", f"{eff / ealone:.2f}", f"{eff / efloor:.2f}"]
        if c in ("alone", "floor"):
            row += ["—"] * 5
        else:
            gen = med([d["ops"] for d in rs])
            rep = med([d["rep"] for d in rs])
            lost = [max(0, d["ops"] - d["rep"]) for d in rs]
            lossless = sum(1 for x in lost if x == 0)
            cpu = med([d["cpu_s"] / d["lines"] * 1e6 for d in rs if d["lines"]])
            idle = idle_cpu.get(tool_of[(w, c)], 0.0)
            net = med([max(0.0, d["cpu_s"] - idle) / d["lines"] * 1e6 for d in rs if d["lines"]])
            rss = max(d["rss_kb"] for d in rs) / 1024
            row += [f"{gen:,.0f} → {rep:,.0f}", f"{med(lost):,.0f}, {max(lost):,}; {lossless}/{len(rs)}",
                    f"{cpu:.3f}", f"{net:.3f}", f"{rss:.1f}"]
            netcpu[(w, c)] = net
            if all("usr_s" in d for d in rs):
                usrcpu[(w, c)] = med([d["usr_s"] / d["lines"] * 1e6 for d in rs if d["lines"]])
                bytes_line[(w, c)] = med([d["bytes"] / d["lines"] for d in rs if d.get("lines") and d.get("bytes")]
                                         or [0])
            if all("sink_cpu_s" in d for d in rs):
                sinkcpu[(w, c)] = med([d["sink_cpu_s"] / d["lines"] * 1e6 for d in rs if d["lines"]])
        print("| " + " | ".join(row) + " |")

print()
# Issue 21's ratio: -j's tool CPU per event over text's, net of start/stop.
ratios = [f"{tool_label[w]} -j {netcpu[(w, 'json')] / netcpu[(w, 'text')]:.2f}x text"
          for w in ("open", "exec", "kcall") if netcpu.get((w, "text")) and (w, "json") in netcpu]
if ratios:
    print("JSON against text, tool CPU per event net of start/stop (medians): " + "; ".join(ratios) + ".")
# The same in user space alone: the tool's own work. Its system time is
# mostly the kernel's reading of the ring buffer and writing of the output,
# and -j writes several times the bytes (see bench/RESULTS.md).
uratios = [f"{tool_label[w]} -j {usrcpu[(w, 'json')] / usrcpu[(w, 'text')]:.2f}x text "
           f"({usrcpu[(w, 'text')]:.3f} and {usrcpu[(w, 'json')]:.3f} us"
           + (f"; {bytes_line[(w, 'text')]:.0f} and {bytes_line[(w, 'json')]:.0f} bytes a line"
              if bytes_line.get((w, 'text')) and bytes_line.get((w, 'json')) else "") + ")"
           for w in ("open", "exec", "kcall") if usrcpu.get((w, "text")) and (w, "json") in usrcpu]
if uratios:
    print()
    print("The same, user-space CPU only (utime per event, gross): " + "; ".join(uratios) + ".")
if sinkcpu:
    print()
    print("The tools wrote into a pipe; its reader (benchctl -p, counting lines as a log shipper would "
          "parse them) used, per line: " + "; ".join(f"{tool_label[w]}{' -j' if c == 'json' else ''} "
                                                       f"{v:.3f} us" for (w, c), v in sorted(sinkcpu.items())
                                                       if c in ("text", "json")) + ".")
print()
print("rate: the workload's own ops/s (wall clock). rate per workload CPU-s: ops over the workload's "
      "user+system time (children included), which keeps the in-kernel cost of tracing and drops the "
      "time spent waiting for a CPU on a shared box. Tool CPU: utime+stime (wait4 rusage) over the lines "
      "it wrote (every event on the machine, not only the workload's); net: minus the median CPU of a "
      "no-load run of the same tool (start-up and teardown). Reported: lines naming the workload. "
      "Lost: generated minus reported.")
print()
print("| tool | start-up to armed ms (median, max) | kernel minimum ms | ratio | teardown ms (median, max) "
      "| kernel minimum ms | ratio | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
timeouts = []
for t in ("true", "execsnoop", "opensnoop", "kprobe", "bpftrace-exec", "bpftrace-open", "bpftrace-kcall"):
    rs = sruns.get(t)
    if not rs:
        continue
    if t == "true":
        s = [d["start_ms"] for d in rs]
        print(f"| /bin/true (reference: launch to exit) | {med(s):.1f} ({max(s):.1f}) | | | | | | |")
        continue
    s = [d["start_ms"] for d in rs]
    e = [d["stop_ms"] for d in rs]
    km = sruns.get("kmin-" + t)
    if km:
        ks, ke = med([d["start_ms"] for d in km]), med([d["stop_ms"] for d in km])
        kcols = f"{ks:.1f} | {med(s) / ks:.2f} | {med(e):.1f} ({max(e):.1f}) | {ke:.1f} | {med(e) / ke:.2f}"
    else:
        kcols = f"— | — | {med(e):.1f} ({max(e):.1f}) | — | —"
    print(f"| {t} | {med(s):.1f} ({max(s):.1f}) | {kcols} | {max(d['rss_kb'] for d in rs) / 1024:.1f} |")
    hung = [d for d in rs if d.get("timeout") == 1]
    if hung:
        timeouts.append(f"{t}: {len(hung)} of {len(rs)} teardowns killed after {hung[0]['stop_ms'] / 1000:.0f} s "
                        "(benchctl -T), counted at that time")
print()
for line in timeouts:
    print(line)
if timeouts:
    print()
print("kernel minimum: bench/kmin, the same tracefs steps as the tool's session (its probes, mkdir, "
      "the ring's size where the tool sets it, trace_clock, enable, tracing_on; then tracing_on 0, disable, rmdir, probes removed) by a shell "
      "with builtins only, in the same run; ratio: the tool's median over it. The tool's start-up also "
      "counts its exec and the C library's start; /bin/true shows what that costs alone.")
