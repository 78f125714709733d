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
#   in SNOOP_FRESH_APT_CACHE (default /var/cache/snoopkit/fresh-apt). CI
#   starts from a fresh clone, so build/ is new on every run; this directory
#   is the machine's and survives, so only the archive's index files are
#   downloaded again. Several build dirs (a CI run, a developer) may use it
#   at once: a root never writes into it directly. Around each command in a
#   root its own /var/cache/apt/archives gets hard links to the cached files
#   and gives its new ones back, under a lock, so two apt-get never share a
#   lock file or see a half-written .deb.
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

# _fresh_cache_copy FROM TO: every .deb of FROM that TO lacks, as a hard
# link where both are on one file system (apt never rewrites a .deb in
# place), else as a copy renamed into place. Callers hold the cache lock.
_fresh_cache_copy() {
	local from=$1 to=$2 f name
	for f in "$from"/*.deb; do
		name=${f##*/}
		[ -f "$f" ] && [ ! -e "$to/$name" ] || continue
		ln "$f" "$to/$name" 2>/dev/null ||
			{ cp "$f" "$to/.$name.tmp" && mv "$to/.$name.tmp" "$to/$name"; }
	done
	return 0
}

# _fresh_cache_locked CMD...: CMD holding the cache's lock.
_fresh_cache_locked() (
	exec 7>"$FRESH_APT_CACHE/.lock"
	flock 7
	"$@" 7>&-
)

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
	_fresh_cache_locked mmdebstrap --variant=minbase --include=sudo \
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
# /dev, /sys and tracefs bound in, and the apt cache lent before and taken
# back after. The binds live in a private mount namespace, so they go with
# the command, however it ends. A clean environment, as after a login.
fresh_chroot() {
	local root=$1 status=0; shift
	_fresh_cache_locked _fresh_cache_copy "$FRESH_APT_CACHE" "$root/var/cache/apt/archives"
	_fresh_chroot_binds "$root" "$@" || status=$?
	_fresh_cache_locked _fresh_cache_copy "$root/var/cache/apt/archives" "$FRESH_APT_CACHE"
	return "$status"
}

_fresh_chroot_binds() {
	local root=$1; shift
	unshare --mount --propagation private -- bash -euc '
		root=$1; shift
		mount --rbind /dev "$root/dev"
		mount --rbind /proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mountpoint -q "$root/sys/kernel/tracing" ||
			mount --bind /sys/kernel/tracing "$root/sys/kernel/tracing"
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' fresh-chroot "$root" "$@"
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

# The marker command: `sleep 1` through a link named for it, so that the
# name is in the kernel's filename field and the process lives long enough
# for argv to be read from /proc (execsnoop's tracepoint fallback; a
# `true MARKER` was often gone first, and printed without its argv).
# fresh_marker_make MARKER, before the tool starts: no other exec may carry
# the marker (the `ln` would be reported too).
fresh_marker_make() {
	ln -s "$(command -v sleep)" "$WORK/$1"
}

# fresh_marker_seen FILE MARKER [SECS]: exec the marker command (on the host:
# the tools see the whole machine) and wait until FILE shows it.
fresh_marker_seen() {
	local out=$1 marker=$2 secs=${3:-10} i
	"$WORK/$marker" 1
	for ((i = 0; i < secs * 10; i++)); do
		# (bash reads the file itself: a grep would carry the marker in
		# its own argv, and be reported)
		[[ $(<"$out") == *"$marker"* ]] && return 0
		sleep 0.1
	done
	return 1
}

# fresh_assert_tracefs_kept BEFORE AFTER: the live tests' comparison, except
# that an instance or dynamic event of another, dead session may have gone:
# removing those is what a starting tool's sweep is for, and on this shared
# machine such leftovers come and go. Our own session's leftovers are checked
# by PID (assert_no_leftovers_of); anything added or changed still fails.
fresh_assert_tracefs_kept() {
	local before=$1 after=$2
	awk -v swept="$before.swept" 'NR == FNR { seen[$0] = 1; next }
		/^# / { sec = $0 }
		(sec == "# instances" || sec == "# dynamic_events") && !/^# / && !($0 in seen) {
			print > swept; next
		}
		{ print }' "$after" "$before" > "$before.kept"
	[ -s "$before.swept" ] && sed 's/^/fresh: swept by the run (a dead session'"'"'s): /' "$before.swept"
	assert_tracefs_same "$before.kept" "$after"
}
