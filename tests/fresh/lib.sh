# shellcheck shell=bash
# Shared helpers of the fresh-root tests (label fresh, issue 13): a minimal
# Debian bookworm root made with mmdebstrap, the host's /proc, /dev, /sys and
# tracefs bound in, the repository cloned into it, and the README's commands
# run inside as a new user would. Source it:
#   . "$(dirname "$0")/lib.sh"
#
# Caches:
# - the root itself, a tarball under build/fresh/ (issue 13), rebuilt when it
#   is older than a week (SNOOP_FRESH_MAX_AGE days);
# - the .deb files that mmdebstrap and every apt-get inside the roots fetch,
#   in SNOOP_FRESH_APT_CACHE (default /var/cache/snoopkit/fresh-apt), bound
#   over the roots' /var/cache/apt/archives. CI starts from a fresh clone, so
#   build/ is new on every run; this directory is the machine's and survives,
#   so only the archive's index files are downloaded again.
# The roots see exactly what a new machine sees; only the cache is shared.

# fail, skip, note, WORK, the tracefs snapshots, wait_armed: the live tests'.
. "$(dirname "${BASH_SOURCE[0]}")/../live/lib.sh"

command -v mmdebstrap >/dev/null ||
	skip "mmdebstrap is not installed (apt-get install mmdebstrap; scripts/test installs it)"
unshare --mount --propagation private true 2>/dev/null ||
	skip "cannot make a mount namespace here (unshare --mount): the roots need their own binds"

SNOOP_SRC=${SNOOP_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SNOOP_BUILD=${SNOOP_BUILD:-$SNOOP_SRC/build}
FRESH_DIR=$SNOOP_BUILD/fresh
FRESH_TAR=$FRESH_DIR/bookworm-minbase.tar
FRESH_LOGS=$FRESH_DIR/logs
FRESH_APT_CACHE=${SNOOP_FRESH_APT_CACHE:-/var/cache/snoopkit/fresh-apt}
FRESH_MAX_AGE=${SNOOP_FRESH_MAX_AGE:-7}
# Where the clone lives inside a root, and the user's commands run.
FRESH_HOME=/root/snoopkit
mkdir -p "$FRESH_DIR" "$FRESH_LOGS" "$FRESH_APT_CACHE"

_fresh_now() { date +%s%N; }
_fresh_secs() { awk -v a="$1" -v b="$(_fresh_now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# The last lines of a step's log, each byte printable (apt and the tools
# under test write there).
fresh_tail() {
	tail -n "${2:-40}" "$1" | cat -v | sed 's/^/  | /'
}

# fresh_step NAME WHAT CMD...: run CMD with its output in a log, say what ran
# (WHAT: the command as a user would type it) and how long it took; on
# failure show the log's last lines and fail the test.
fresh_step() {
	local name=$1 what=$2; shift 2
	local log=$FRESH_LOGS/$TEST_NAME.$name.log start status=0
	echo "fresh: $name: $what"
	start=$(_fresh_now)
	"$@" >"$log" 2>&1 || status=$?
	if [ "$status" != 0 ]; then
		echo "fresh: $name: FAILED (exit $status) after $(_fresh_secs "$start") s; last lines of $log:"
		fresh_tail "$log"
		fail "$name: $what"
	fi
	echo "fresh: $name: ok in $(_fresh_secs "$start") s"
}

# The apt sources of the host (the only archive this machine reaches): every
# sources file under /etc/apt that names bookworm, or SNOOP_FRESH_SOURCES.
_fresh_sources() {
	if [ -n "${SNOOP_FRESH_SOURCES:-}" ]; then
		echo "$SNOOP_FRESH_SOURCES"
		return
	fi
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && grep -q '^[^#]*bookworm' "$f" && echo "$f"
	done
	return 0
}

# Make the root tarball unless a recent one is there. Two tests asking at
# once build it once (flock).
_fresh_build_tar() (
	local -a sources
	mapfile -t sources < <(_fresh_sources)
	[ "${#sources[@]}" -gt 0 ] || { echo "no bookworm apt sources under /etc/apt (set SNOOP_FRESH_SOURCES)"; return 1; }
	# A month-old .deb of the cache is fetched again if still needed:
	# this keeps the cache from growing with every archive update.
	find "$FRESH_APT_CACHE" -maxdepth 1 -name '*.deb' -mtime +30 -delete
	rm -f "$FRESH_TAR.tmp"
	# sudo: the README's commands start with it. essential/unlink and the
	# sync hooks keep every fetched .deb in the cache; the package lists stay
	# in the root, as on an installed machine.
	# (mmdebstrap passes apt a pipe by fd number: with a descriptor
	# inherited from the caller, e.g. a `flock FILE ctest`, apt's hook
	# fails with "Bad fd number". It gets stdin, stdout and stderr only.)
	local fd
	for fd in /proc/"$BASHPID"/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	mmdebstrap --variant=minbase --include=sudo \
		--skip=essential/unlink --skip=cleanup/apt/lists \
		--setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
		--setup-hook="sync-in $FRESH_APT_CACHE /var/cache/apt/archives" \
		--customize-hook="sync-out /var/cache/apt/archives $FRESH_APT_CACHE" \
		--format=tar bookworm "$FRESH_TAR.tmp" "${sources[@]}" &&
		mv "$FRESH_TAR.tmp" "$FRESH_TAR"
)

fresh_root_tar() {
	exec 8>"$FRESH_DIR/tar.lock"
	flock 8
	if [ -s "$FRESH_TAR" ] && [ -n "$(find "$FRESH_TAR" -mtime -"$FRESH_MAX_AGE")" ]; then
		echo "fresh: root: $FRESH_TAR (made $(date -r "$FRESH_TAR" '+%F %T'), cached)"
	else
		fresh_step root "mmdebstrap --variant=minbase --include=sudo bookworm $FRESH_TAR $(_fresh_sources | tr '\n' ' ')" \
			_fresh_build_tar
	fi
	flock -u 8
	exec 8>&-
}

# fresh_unpack DIR: a new root from the tarball (whatever DIR held goes).
fresh_unpack() {
	local root=$1
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	tar -xf "$FRESH_TAR" -C "$root"
}

# fresh_clone DIR: clone the repository under test (its HEAD) into the root,
# as the user's `git clone` would.
fresh_clone() {
	local root=$1
	git clone -q --no-hardlinks "$SNOOP_SRC" "$root$FRESH_HOME"
	git -C "$root$FRESH_HOME" log -1 --format='cloned %h %s'
}

# fresh_chroot DIR CMD...: CMD as root inside DIR, with the host's /proc,
# /dev, /sys and tracefs bound in and the apt cache over
# /var/cache/apt/archives. The binds live in a private mount namespace, so
# they go with the command, however it ends. A clean environment, as after
# a login.
fresh_chroot() {
	local root=$1; shift
	unshare --mount --propagation private -- bash -euc '
		root=$1 cache=$2; shift 2
		mount --rbind /dev "$root/dev"
		mount --rbind /proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mountpoint -q "$root/sys/kernel/tracing" ||
			mount --bind /sys/kernel/tracing "$root/sys/kernel/tracing"
		mount --bind "$cache" "$root/var/cache/apt/archives"
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' fresh-chroot "$root" "$FRESH_APT_CACHE" "$@"
}

# fresh_tool_pid DIR TOOL BGPID [SECS]: the PID of the TOOL session started
# (by BGPID, still running) inside root DIR, found by its tracefs instance
# and the root it runs in (other sessions may run on the machine).
fresh_tool_pid() {
	local root tool=$2 bg=$3 secs=${4:-900} end d pid
	root=$(realpath "$1")
	end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$end" ]; do
		for d in "$TRACEFS/instances/snoop_${tool}_"*; do
			pid=${d##*_}
			[ -d "$d" ] && [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] &&
				{ echo "$pid"; return 0; }
		done
		kill -0 "$bg" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# fresh_marker_seen FILE MARKER [SECS]: exec a command carrying MARKER (on
# the host: the tools see the whole machine) and wait until FILE shows it.
fresh_marker_seen() {
	local out=$1 marker=$2 secs=${3:-10} i
	/usr/bin/env true "$marker"
	for ((i = 0; i < secs * 10; i++)); do
		# (bash reads the file itself: a grep would carry the marker in
		# its own argv, and be reported)
		[[ $(<"$out") == *"$marker"* ]] && return 0
		sleep 0.1
	done
	return 1
}
