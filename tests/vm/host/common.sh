# Shared helpers of the host side of the VM test harness (sourced, not run).
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)

# Debian's own python, not whatever a version manager puts first on PATH:
# the guest gets a trimmed copy of it and must match the stdlib we copy.
HOST_PYTHON=${SNOOP_VM_PYTHON:-/usr/bin/python3}

log() { printf 'vm: %s\n' "$*" >&2; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

# need CMD PACKAGE: fail with the install command when a tool is missing,
# so a bare machine tells the user what to do instead of a cryptic 127.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found: install it with 'apt-get install --no-install-recommends $2'"
}

check_host_deps() {
	need qemu-system-x86_64 qemu-system-x86
	need busybox busybox-static
	need cpio cpio
	need apt-get apt
	need dpkg-deb dpkg
	need flock util-linux
	need timeout coreutils
	need gzip gzip
	need perl perl-base
	# busybox from the 'busybox' package is dynamic; the guest has no
	# libraries for it at the point we need it, so insist on the static one.
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then
		die "busybox at $(command -v busybox) is dynamically linked: install busybox-static"
	fi
	[[ -x $HOST_PYTHON ]] ||
		die "$HOST_PYTHON not found (the guest's JSON checker is a copy of it): install python3"
}

# with_lock FILE CMD...: run CMD holding an exclusive lock on FILE, so that
# ctest -j2 running both kernels never fetches or builds the same thing twice.
with_lock() {
	local lock=$1
	shift
	mkdir -p "$(dirname "$lock")"
	(
		flock -w 900 9 || die "timed out waiting for lock $lock"
		"$@"
	) 9>"$lock"
}
