#!/bin/bash
# 100,000 opens with a buffer that holds the whole run (~12 MB of events):
# nothing may be lost, every open is one complete record (loop.bash).
# vm-timeout: 200
set -euo pipefail
. "$SNOOP_TEST_DIR/loop.bash"
run_loop big 0 -b 32768
