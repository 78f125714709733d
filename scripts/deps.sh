# shellcheck shell=bash
# Installing what snoopkit needs, with apt-get, only when something is
# missing (so a second run costs nothing and needs no network).
#   . scripts/deps.sh; snoop_deps build|unit|test|package|arm64

SNOOP_BUILD_PKGS=(cmake make gcc pkg-config libtracefs-dev libtraceevent-dev libncurses-dev libbpf-dev)
# cmocka: unit tests; python3: JSON checks; qemu/busybox/cpio/dpkg-dev: the
# guest-kernel tests; tmux: the --top terminal test; trace-cmd: coexistence;
# valgrind: memcheck runs of each tool; clang + its runtime: libFuzzer targets.
SNOOP_TEST_PKGS=(libcmocka-dev python3 qemu-system-x86 busybox-static cpio tmux trace-cmd procps valgrind clang libclang-rt-14-dev xz-utils zstd)
# mmdebstrap: the fresh Debian roots of tests/fresh; git: cloning into them;
# dpkg-dev + file: the .deb (CPack's shlibdeps runs dpkg-shlibdeps and file).
SNOOP_TEST_PKGS+=(mmdebstrap git)
SNOOP_PACKAGE_PKGS=(dpkg-dev file)
SNOOP_TEST_PKGS+=("${SNOOP_PACKAGE_PKGS[@]}")
# What `scripts/test -L unit` alone needs (cmocka programs, python3's JSON
# checks): a fresh machine runs the unit tests without qemu, clang, ...
SNOOP_UNIT_PKGS=(libcmocka-dev python3)
# strace: the witness that killsnoop's live test and
# tests/live/groundtruth_tools.sh (execsnoop, opensnoop on real programs:
# gcc, git, python3) compare the tools' records with; the VM harness copies
# it, with its libraries, into the amd64 guests (tests/vm/execsnoop/groundtruth).
SNOOP_TEST_PKGS+=(strace gcc)

# arm64: the cross-build (cmake/aarch64-linux-gnu.cmake) and the arm64 guests
# of tests/vm (label vm-arm64): Debian's cross compiler, the arm64 -dev
# packages the tools link against (multiarch, installed beside the host's),
# qemu-system-arm for qemu-system-aarch64, and binutils for readelf (the
# harness follows the arm64 binaries' DT_NEEDED). A separate set, so that a
# plain build never pulls cross packages.
SNOOP_ARM64_PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils qemu-system-arm
	libtracefs-dev:arm64 libtraceevent-dev:arm64 libncurses-dev:arm64 libbpf-dev:arm64 libcmocka-dev:arm64)

snoop_missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

snoop_deps() {
	local -a want missing
	case "$1" in
	build) want=("${SNOOP_BUILD_PKGS[@]}") ;;
	unit) want=("${SNOOP_BUILD_PKGS[@]}" "${SNOOP_UNIT_PKGS[@]}") ;;
	test) want=("${SNOOP_BUILD_PKGS[@]}" "${SNOOP_TEST_PKGS[@]}") ;;
	package) want=("${SNOOP_BUILD_PKGS[@]}" "${SNOOP_PACKAGE_PKGS[@]}") ;;
	arm64) want=("${SNOOP_ARM64_PKGS[@]}") ;;
	*) echo "snoop_deps: unknown set '$1'" >&2; return 2 ;;
	esac
	mapfile -t missing < <(snoop_missing_pkgs "${want[@]}")
	[ "${#missing[@]}" -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "snoopkit: missing packages: ${missing[*]}; run as root (sudo) to install them" >&2
		return 1
	fi
	echo "snoopkit: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# The :arm64 packages exist for apt only once dpkg knows the foreign
	# architecture (then apt-get update fetches its lists). Idempotent.
	if [ "$1" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64 || { echo "snoopkit: dpkg --add-architecture arm64 failed" >&2; return 1; }
	fi
	apt-get update -q >&2 || { echo "snoopkit: apt-get update failed" >&2; return 1; }
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		{ echo "snoopkit: apt-get install ${missing[*]} failed" >&2; return 1; }
}

snoop_build() {
	local src=$1 build=$2; shift 2
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null || return 1
	# Show warnings and errors, not progress lines. (grep finds nothing on a
	# clean rebuild: its status must not count, only cmake's.)
	local status=0
	cmake --build "$build" -j"$(nproc)" >"$build/build.log" 2>&1 || status=$?
	grep -vE '^\[ *[0-9]+%\]|^-- |^Consolidate compiler generated' "$build/build.log" >&2 || true
	return "$status"
}

# Build the tools: a first configure leaves the tests out (they need cmocka,
# which only scripts/test installs); a build/ that scripts/test configured
# keeps its tests.
snoop_build_tools() {
	local src=$1 build=$2
	local -a conf=()
	[ -f "$build/CMakeCache.txt" ] || conf=(-DBUILD_TESTING=OFF)
	snoop_build "$src" "$build" "${conf[@]}"
}
