#!/bin/bash
# vm-timeout: 120
# Issue 9, coexistence (coexist.bash) for kprobe and functrace.
set -euo pipefail
COEXIST_TOOLS=(kprobe functrace)
. "$(dirname "$0")/coexist.bash"
