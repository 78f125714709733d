#!/bin/bash
# vm-timeout: 150
# Issue 9, hostile bytes (hostile.bash) in execsnoop's arguments.
set -euo pipefail
HOSTILE_PART=args
. "$(dirname "$0")/hostile.bash"
