#!/bin/bash
# -G --no-irq: a long read(2) of /dev/zero gets timer interrupts in its own
# task; their handler (hrtimer_interrupt) shows in the graph without
# --no-irq and never with it.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_require_graph_instance
grep -qx hrtimer_interrupt "$TRACEFS/available_filter_functions" || skip "hrtimer_interrupt is not traceable here"
ft_snapshot
mkfifo go

# irq_run OUT ARGS...: a subshell waits on the FIFO, then dd reads 96 MiB
# of /dev/zero in 32 MiB reads (tens of ms each under TCG: several ticks).
irq_run() {
	local out=$1 w
	shift
	(read -r _ <go && exec dd if=/dev/zero of=/dev/null bs=32M count=3 2>/dev/null) &
	w=$!
	ft_start "$out" -j -b 16384 "$@" -G ksys_read -p "$w"
	echo >go
	wait "$w"
	sleep 1
	ft_stop "$out"
}

irq_run with.json
json_check with.json - <<'PY'
assert any(r.get("func") == "ksys_read" and r["depth"] == 0 for r in rows), "no ksys_read graph"
assert any(r.get("func") == "hrtimer_interrupt" for r in rows), "no timer interrupt inside the reads"
PY
irq_run without.json --no-irq
json_check without.json - <<'PY'
assert any(r.get("func") == "ksys_read" and r["depth"] == 0 for r in rows), "no ksys_read graph"
assert not any(r.get("func") == "hrtimer_interrupt" for r in rows), "--no-irq showed the timer interrupt"
PY
ft_assert_clean
