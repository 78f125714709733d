#!/bin/bash
# cross-build.sh ARCH SRC BUILD [BUILD_TYPE]: configure and build snoopkit
# for a foreign guest architecture (the vm-arm64-build ctest fixture), with
# the toolchain file cmake/<triplet>.cmake; warnings and errors are shown,
# progress lines are not.
set -euo pipefail
arch=$1 src=$2 build=$3 type=${4:-RelWithDebInfo}
case $arch in
arm64) toolchain=$src/cmake/aarch64-linux-gnu.cmake ;;
*) echo "cross-build.sh: unsupported architecture '$arch' (arm64)" >&2; exit 2 ;;
esac
command -v aarch64-linux-gnu-gcc >/dev/null ||
	{ echo "cross-build.sh: no aarch64-linux-gnu-gcc: run '. scripts/deps.sh && snoop_deps arm64'" >&2; exit 1; }
cmake -S "$src" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE="$type" \
	-DSNOOP_VM_TESTS=OFF >"$build.configure.log" 2>&1 ||
	{ cat "$build.configure.log" >&2; exit 1; }
status=0
cmake --build "$build" -j2 >"$build.build.log" 2>&1 || status=$?
grep -vE '^\[ *[0-9]+%\]|^-- |^Consolidate compiler generated' "$build.build.log" >&2 || true
exit "$status"
