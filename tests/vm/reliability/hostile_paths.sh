#!/bin/bash
# vm-timeout: 150
# Issue 9, hostile bytes (hostile.bash) in paths: opensnoop and kprobe.
set -euo pipefail
HOSTILE_PART=paths
. "$(dirname "$0")/hostile.bash"
