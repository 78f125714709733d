#!/bin/bash
# vm-timeout: 150
# Issue 9, the limits in real runs (hostile.bash): execsnoop --max-args 126,
# 64 kprobes in one session with the smallest buffer.
set -euo pipefail
HOSTILE_PART=limits
. "$(dirname "$0")/hostile.bash"
