#!/bin/bash
# vm-timeout: 150
# Issue 9: the cleanup matrix (cleanup.bash) for functrace.
set -euo pipefail
. "$(dirname "$0")/cleanup.bash"
r_cleanup_matrix functrace
