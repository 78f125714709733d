#!/bin/bash
# -p follows children forked after the start (function-fork), --no-children
# does not, -L is one thread, -n is the command name; other tasks are never
# shown.
# vm-timeout: 90
set -euo pipefail
. /snoopvm/lib.sh
. "$SNOOP_TEST_DIR/ft_lib.bash"

ft_snapshot
calls() { grep -cE " do_sys_openat2 <- " "$1" || true; }

# With children: 2 opens by the parent, 3 by the child it forks.
opener_start 2 3
ft_start out.txt -p "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out.txt
cat out.txt >&2
((${#OPENER} > 0))
n_parent=$(grep -cE "^ft_opener +$OPENER " out.txt || true)
n_all=$(calls out.txt)
((n_parent == 2)) || fail "parent: $n_parent calls, expected 2"
((n_all == 5)) || fail "parent and child: $n_all calls, expected 5"
! grep -vE "^ft_opener " out.txt | grep -q . || fail "calls of other tasks shown"
ft_assert_clean

# --no-children: the parent's only.
opener_start 2 3
ft_start out2.txt -p "$OPENER" --no-children do_sys_openat2
opener_run
sleep 1
ft_stop out2.txt
n_all=$(calls out2.txt)
n_parent=$(grep -cE "^ft_opener +$OPENER " out2.txt || true)
((n_all == 2 && n_parent == 2)) || { cat out2.txt >&2; fail "--no-children: $n_all calls ($n_parent by the parent), expected 2"; }
ft_assert_clean

# -L: the thread (here the only one).
opener_start 4 0
ft_start out3.txt -L "$OPENER" do_sys_openat2
opener_run
sleep 1
ft_stop out3.txt
n=$(calls out3.txt)
((n == 4)) || { cat out3.txt >&2; fail "-L: $n calls, expected 4"; }
ft_assert_clean

# -n: by command name, system-wide.
opener_start 3 1
ft_start out4.txt -n ft_opener do_sys_openat2
opener_run
cat /proc/version >/dev/null
sleep 1
ft_stop out4.txt
n=$(calls out4.txt)
((n == 4)) || { cat out4.txt >&2; fail "-n ft_opener: $n calls, expected 4"; }
! grep -vE "^ft_opener " out4.txt | grep -q . || fail "-n: other commands shown"
ft_assert_clean
