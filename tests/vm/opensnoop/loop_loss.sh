#!/bin/bash
# 100,000 opens with a small buffer and opensnoop stopped (SIGSTOP) through
# the middle half of the loop: events are lost for certain, opens go on
# after the loss, and every event is accounted for (loop.bash).
# vm-timeout: 200
set -euo pipefail
. "$SNOOP_TEST_DIR/loop.bash"
run_loop small 1 -b 256
