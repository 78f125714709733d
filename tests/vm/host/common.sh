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

# set_arch ARCH: the guest architecture of this run (Debian's name: amd64,
# the default, or arm64), and what follows from it. The x86_64 guests get a
# second serial port for the results; qemu 7.2's arm64 virt board has one
# UART only (its virtio console is a module in 6.1, and the guest loads
# none), so arm64 guests send the results over the console itself, with the
# kernel's console log level lowered to emergencies (guest/init).
set_arch() {
	VM_ARCH=$1
	case $VM_ARCH in
	amd64)
		TRIPLET=x86_64-linux-gnu
		QEMU=(qemu-system-x86_64 -accel tcg -cpu max)
		QEMU_PKG=qemu-system-x86
		GUEST_CONSOLE=ttyS0
		RESULT_TTY=/dev/ttyS1
		WORKLOAD_CC=gcc
		WORKLOAD_CC_PKG="gcc libc6-dev"
		KERNEL_PREFIX=
		;;
	arm64)
		TRIPLET=aarch64-linux-gnu
		# pauth-impdef: QEMU's own pointer-authentication hash instead of
		# the architected QARMA, which costs much of TCG's time on a
		# Debian kernel and userland built with -mbranch-protection.
		QEMU=(qemu-system-aarch64 -M virt -accel tcg -cpu max,pauth-impdef=on)
		QEMU_PKG=qemu-system-arm
		GUEST_CONSOLE=ttyAMA0
		RESULT_TTY=/dev/ttyAMA0
		WORKLOAD_CC=aarch64-linux-gnu-gcc
		WORKLOAD_CC_PKG="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
		# The cache's short kernel names (kernels/6.1) stay amd64's.
		KERNEL_PREFIX=arm64-
		;;
	*) die "unsupported guest architecture '$VM_ARCH' (amd64 or arm64)" ;;
	esac
	MULTIARCH_LIB=usr/lib/$TRIPLET
}

check_host_deps() {
	need "${QEMU[0]}" "$QEMU_PKG"
	need busybox busybox-static
	need cpio cpio
	need apt-get apt
	need dpkg-deb dpkg
	need flock util-linux
	need timeout coreutils
	need gzip gzip
	need perl perl-base
	if [[ $VM_ARCH != amd64 ]]; then
		# The guest's busybox, bash and python come from arm64 .debs, its
		# libraries from the -dev:arm64 packages the cross-build installed.
		need readelf binutils
		[[ -e /usr/lib/$TRIPLET/libc.so.6 || -e /lib/$TRIPLET/libc.so.6 ]] ||
			die "no $TRIPLET libc: run '. scripts/deps.sh && snoop_deps $VM_ARCH'"
	fi
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
