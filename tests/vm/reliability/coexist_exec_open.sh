#!/bin/bash
# vm-timeout: 120
# Issue 9, coexistence (coexist.bash) for execsnoop and opensnoop.
set -euo pipefail
COEXIST_TOOLS=(execsnoop opensnoop)
. "$(dirname "$0")/coexist.bash"
