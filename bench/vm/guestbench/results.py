# SPDX-License-Identifier: GPL-2.0-or-later
"""The guestbench tests' ./results lines, "CONFIG RATE LINES LOST OPS" per
run (bench_rounds in lib.bash), read back; imported by their tables."""


def load(path):
    """CONFIG -> [(rate, lines, lost, ops)] in round order ("-": no tool)."""
    rows = {}
    for line in open(path):
        c, rate, lines, lost, ops = line.split()
        rows.setdefault(c, []).append((float(rate), lines, lost, int(ops)))
    return rows


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def median_round(runs):
    """("OPS -> LINES", "LOST") of the round of median rate, or dashes
    without a tool: figures of one round, where a median of each apart
    could pair figures of different rounds."""
    if runs[0][1] == "-":
        return "—", "—"
    m = sorted(runs)[len(runs) // 2]
    return f"{m[3]:,} -> {int(m[1]):,}", f"{int(m[2]):,}"
