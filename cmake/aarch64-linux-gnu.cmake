# Cross-building snoopkit for arm64 (aarch64) on a Debian amd64 host, with
# Debian's cross compiler and the multiarch -dev packages:
#   . scripts/deps.sh && snoop_deps arm64      # gcc-aarch64-linux-gnu, lib*-dev:arm64
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   cmake --build build-arm64 -j2
#   tests/vm/run -a arm64 -b build-arm64 -k 6.12 smoke
# The binaries run in the arm64 guests of tests/vm (see tests/vm/README.md);
# the host cannot run them, so only the vm tests of such a tree make sense.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SNOOP_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${SNOOP_TRIPLET}-gcc)
# Debian's multiarch layout: the arm64 headers and libraries of the -dev:arm64
# packages live beside the host's ones (/usr/include/aarch64-linux-gnu,
# /usr/lib/aarch64-linux-gnu), which the cross gcc already searches; no
# separate sysroot.
set(CMAKE_LIBRARY_ARCHITECTURE ${SNOOP_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config must see the arm64 .pc files only, never the host's (whose -L
# would point the linker at x86_64 libraries).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SNOOP_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
