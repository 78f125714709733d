# Fetching and unpacking the Debian guest kernels (sourced by ../run).
# shellcheck shell=bash
#
# Cache layout ($VM_CACHE, default BUILD/vm-cache, shared via SNOOP_VM_CACHE):
#   debs/<pkg>_<ver>_<arch>.deb     the downloaded packages, kept so a
#                                   re-extraction needs no network
#   kernels/<pkg>_<ver>/vmlinuz      the kernel as packaged (a bzImage)
#   kernels/<pkg>_<ver>/vmlinux      the same, decompressed: what qemu boots
#   kernels/<pkg>_<ver>/config       its .config (handy when a test fails)
#   kernels/<pkg>_<ver>/release      `uname -r` inside the guest
#   kernels/<pkg>_<ver>/version      the Debian package version
#   kernels/<spec>  -> <pkg>_<ver>  which package a short name (6.1, 6.12)
#                                   resolved to at the last fetch
#   kernels/arm64-<spec>            the same for the arm64 guests (-a arm64),
#                                   whose vmlinuz is an uncompressed Image
#   arm64-debs/, arm64-root/        the arm64 userland of their initramfs
#                                   (host/initramfs.sh)

# The short kernel names the suite knows; anything else is taken as the
# tail of a package name (e.g. 6.1.0-55-amd64, 6.1.0-57-arm64).
VM_KERNELS=(6.1 6.12)

# kernel_pkg SPEC: the linux-image package SPEC means today, from apt's
# local lists (no network). Empty when apt knows nothing (no 'apt-get update').
kernel_pkg() {
	case $1 in
	6.1)
		# "the current bookworm 6.1": whatever the metapackage depends on.
		# (apt-cache adds ":arm64" to a foreign architecture's names.)
		apt-cache depends "linux-image-$VM_ARCH:$VM_ARCH" 2>/dev/null |
			sed -n "s/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-$VM_ARCH\)\(:$VM_ARCH\)\?\$/\1/p" | head -n1
		;;
	6.12)
		# bookworm carries several 6.12 backports side by side, each its own
		# package name: take the newest upstream version.
		apt-cache pkgnames linux-image-6.12. 2>/dev/null |
			grep -E "^linux-image-6\.12\.[0-9]+\+deb12-$VM_ARCH\$" | sort -V | tail -n1
		;;
	*)
		if apt-cache show "linux-image-$1:$VM_ARCH" >/dev/null 2>&1; then
			echo "linux-image-$1"
		fi
		;;
	esac
}

# fetch_kernel SPEC: make $VM_CACHE/kernels/SPEC point at an unpacked
# kernel; downloads only when apt's candidate is not in the cache yet.
fetch_kernel() {
	local spec=$1 pkg ver deb dir link tmp
	link=$VM_CACHE/kernels/$KERNEL_PREFIX$spec
	# What SPEC means depends only on apt's lists: if none changed since
	# the last resolution (the link's own mtime), skip apt-cache, which
	# costs 1-2 s per call on this machine.
	if [[ -e $link/vmlinuz && -L $link && -d /var/lib/apt/lists ]] &&
		[[ -z $(find /var/lib/apt/lists -maxdepth 1 -newer "$link" -print -quit 2>/dev/null) ]]; then
		[[ -e $link/vmlinux || -e $link/vmlinux.none ]] || unpack_vmlinux "$link"
		return 0
	fi
	pkg=$(kernel_pkg "$spec")
	if [[ -z $pkg ]]; then
		if [[ -e $link/vmlinuz ]]; then
			log "apt knows no package for kernel '$spec' (no 'apt-get update'?): using cached $(readlink "$link")"
			return 0
		fi
		die "no Debian package found for kernel '$spec': run 'apt-get update' (bookworm lists) and retry"
	fi
	ver=$(apt-cache show --no-all-versions "$pkg:$VM_ARCH" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	[[ -n $ver ]] || die "apt-cache knows $pkg but gives no version"
	dir=$VM_CACHE/kernels/${pkg}_$ver
	if [[ ! -e $dir/vmlinuz ]]; then
		mkdir -p "$VM_CACHE/debs"
		# apt-get names the file with the epoch's ':' escaped as %3a.
		deb=$VM_CACHE/debs/${pkg}_${ver//:/%3a}_$VM_ARCH.deb
		if [[ ! -s $deb ]]; then
			log "downloading $pkg $ver"
			# apt's _apt user cannot write into root-owned build dirs; apt then
			# falls back to downloading as root with a harmless warning.
			# Success is judged by the file being there, below.
			(cd "$VM_CACHE/debs" && apt-get download -q "$pkg:$VM_ARCH=$ver") 2>&1 |
				grep -v -e '^W: Download is performed unsandboxed' -e '^ *$' >&2 || true
			if [[ ! -s $deb ]]; then
				if [[ -e $link/vmlinuz ]]; then
					log "WARNING: download of $pkg $ver failed; using cached $(readlink "$link")"
					return 0
				fi
				die "apt-get download $pkg=$ver failed (stale lists? run 'apt-get update')"
			fi
		fi
		log "extracting $(basename "$deb")"
		mkdir -p "$VM_CACHE/kernels"
		tmp=$(mktemp -d "$VM_CACHE/kernels/.extract.XXXXXX")
		# Same as `dpkg -x` but only ./boot: the 400 MB of modules are not
		# needed (everything the tests use is built in) and cost disk time.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/*' ||
			die "cannot extract $deb"
		mkdir -p "$tmp/k"
		mv "$tmp"/boot/vmlinuz-* "$tmp/k/vmlinuz" || die "$deb holds no /boot/vmlinuz-*"
		mv "$tmp"/boot/config-* "$tmp/k/config" 2>/dev/null || true
		echo "${pkg#linux-image-}" >"$tmp/k/release"
		echo "$ver" >"$tmp/k/version"
		rm -rf "$dir"
		mv "$tmp/k" "$dir"
		rm -rf "$tmp"
	fi
	[[ -e $dir/vmlinux || -e $dir/vmlinux.none ]] || unpack_vmlinux "$dir"
	# Atomic switch of the short name, so a concurrent reader never sees a
	# dangling link.
	ln -sfn "$(basename "$dir")" "$link.new"
	mv -T "$link.new" "$link"
}

fetch_kernels() {
	local spec
	for spec in "$@"; do
		fetch_kernel "$spec"
	done
}

# unpack_vmlinux DIR: decompress DIR/vmlinuz's payload into DIR/vmlinux, an
# ELF that qemu boots directly through the kernel's PVH entry point
# (CONFIG_PVH=y in Debian's configs). Under TCG this saves the in-guest
# decompression: about 3 s of every boot for 6.1's xz, 0.5 s for 6.12's zstd.
# If anything is off, DIR/vmlinux.none records it and the bzImage is booted.
unpack_vmlinux() {
	local dir=$1 fmt magic off tool
	# Debian's arm64 vmlinuz is the kernel's Image, uncompressed, which
	# qemu's virt board boots as it is: nothing to gain here.
	if [[ $VM_ARCH == arm64 ]]; then
		touch "$dir/vmlinux.none"
		return 0
	fi
	for fmt in 'xz \xfd7zXZ\x00' 'zstd \x28\xb5\x2f\xfd' 'gzip \x1f\x8b\x08'; do
		magic=${fmt#* }
		fmt=${fmt%% *}
		command -v "$fmt" >/dev/null || continue
		# The first match is the payload: the setup code before it is small.
		off=$({ LC_ALL=C grep -obUaP -m1 "$magic" "$dir/vmlinuz" || true; } | head -n1 | cut -d: -f1)
		[[ -n $off ]] || continue
		case $fmt in
		xz) tool=(xz -dc --single-stream) ;;
		zstd) tool=(zstd -dcq) ;;
		gzip) tool=(gzip -dcq) ;;
		esac
		# The payload is followed by other data, which zstd and gzip
		# complain about after writing everything: judge by the result.
		tail -c +"$((off + 1))" "$dir/vmlinuz" | "${tool[@]}" >"$dir/vmlinux.tmp" 2>/dev/null || true
		if [[ $(head -c 4 "$dir/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] &&
			! { command -v readelf >/dev/null && ! readelf -n "$dir/vmlinux.tmp" 2>/dev/null | grep -q 'Xen.*0x00000012'; }; then
			mv "$dir/vmlinux.tmp" "$dir/vmlinux"
			return 0
		fi
	done
	rm -f "$dir/vmlinux.tmp"
	log "note: could not decompress $dir/vmlinuz (no xz/zstd?): booting the bzImage, ~3 s slower"
	touch "$dir/vmlinux.none"
}
