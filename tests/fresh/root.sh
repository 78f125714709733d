#!/usr/bin/env bash
# The fresh bookworm root the other fresh tests unpack (mmdebstrap, cached
# under build/fresh/ for a week; see lib.sh).
. "$(dirname "$0")/lib.sh"
fresh_root_tar
note "root tarball: $(du -h "$FRESH_TAR" | cut -f1), apt cache: $(du -sh "$FRESH_APT_CACHE" | cut -f1) in $FRESH_APT_CACHE"
