# Building the guest's initramfs (sourced by ../run).
# shellcheck shell=bash
#
# The initramfs is two cpio archives concatenated (the kernel unpacks them
# in order, later files win):
#   base.cpio  busybox, bash, a trimmed python3 for JSON checks, terminfo:
#              depends only on the host's packages, built once, cached in
#              $VM_CACHE/initramfs/ and shared by both kernels and all groups;
#   run.cpio   /init, the guest helpers, the snoopkit binaries and the
#              libraries they need, the test groups and their compiled
#              workloads, and the run's config: rebuilt for every boot
#              (it is small, well under a second).
# Both are left uncompressed: qemu hands the file to the kernel in memory,
# and under TCG decompressing costs more than copying (see README.md).

# MULTIARCH_LIB (usr/lib/<triplet>) comes from set_arch (host/common.sh).

# Python modules the guest gets (plus whatever they import): enough for
# json_check and small helper scripts, far less than the 30 MB stdlib.
GUEST_PY_MODULES="json re os collections itertools functools base64 shlex subprocess time signal glob string struct textwrap"

# skeleton ROOT: the merged-/usr layout of a Debian system, so binaries
# copied from the host find their interpreter and libraries where ldd saw them.
skeleton() {
	local root=$1 d
	for d in usr/bin usr/sbin usr/local/bin "$MULTIARCH_LIB" usr/lib64 etc dev proc sys tmp root run; do
		mkdir -p "$root/$d"
	done
	ln -sfn usr/bin "$root/bin"
	ln -sfn usr/sbin "$root/sbin"
	ln -sfn usr/lib "$root/lib"
	ln -sfn usr/lib64 "$root/lib64"
	chmod 1777 "$root/tmp"
}

# copy_libs ROOT FILE...: copy the shared libraries FILEs need (per ldd)
# into ROOT. Every library goes to the multiarch dir, which the dynamic
# loader searches by default, whatever its host location; the loader itself
# goes where the ELF interpreter path points.
copy_libs() {
	local root=$1 f line lib
	shift
	if [[ $VM_ARCH != amd64 ]]; then
		copy_libs_cross "$root" "$@"
		return
	fi
	for f in "$@"; do
		# Static binaries and scripts: nothing to copy.
		ldd "$f" >/dev/null 2>&1 || continue
		while IFS= read -r line; do
			case $line in
			*'not found'*)
				die "$f needs a library the host does not have: $line" ;;
			*'=> /'*)
				lib=${line#*=> }
				lib=${lib%% (*}
				[[ -e $root/$MULTIARCH_LIB/${lib##*/} ]] ||
					cp -L "$lib" "$root/$MULTIARCH_LIB/${lib##*/}" ;;
			*/ld-linux*)
				lib=${line#"${line%%[! 	]*}"}
				lib=${lib%% (*}
				mkdir -p "$root/$(dirname "$lib")"
				[[ -e $root/$lib ]] || cp -L "$lib" "$root/$lib" ;;
			esac
		done < <(ldd "$f")
	done
}

# Where an arm64 guest's libraries are looked for: the userland unpacked from
# arm64 .debs (guest_root), then what the -dev:arm64 packages of the
# cross-build installed on the host (multiarch).
cross_lib_dirs() {
	echo "$VM_CACHE/$VM_ARCH-root/usr/lib/$TRIPLET" "$VM_CACHE/$VM_ARCH-root/lib/$TRIPLET" "/usr/lib/$TRIPLET" "/lib/$TRIPLET"
}

# copy_libs_cross ROOT FILE...: copy_libs for a foreign architecture, where
# ldd cannot run the binaries: follow the ELF's DT_NEEDED entries (readelf
# reads any architecture) through cross_lib_dirs, recursively.
copy_libs_cross() {
	local root=$1 f lib d found interp
	shift
	local -a todo=("$@") dirs
	read -r -a dirs <<<"$(cross_lib_dirs)"
	while ((${#todo[@]})); do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		readelf -h "$f" >/dev/null 2>&1 || continue # a script
		interp=$(readelf -l "$f" 2>/dev/null | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
		if [[ -n $interp && ! -e $root/usr/lib/${interp##*/} ]]; then
			# The interpreter's path is /lib/...: in the merged-/usr
			# layout, /lib is a link to usr/lib.
			for d in "${dirs[@]}"; do
				[[ -e $d/${interp##*/} ]] || continue
				mkdir -p "$root/usr/lib"
				cp -L "$d/${interp##*/}" "$root/usr/lib/${interp##*/}"
				break
			done
			[[ -e $root/usr/lib/${interp##*/} ]] || die "$f needs $interp, not found in: ${dirs[*]}"
		fi
		while read -r lib; do
			[[ -e $root/$MULTIARCH_LIB/$lib ]] && continue
			found=
			for d in "${dirs[@]}"; do
				[[ -e $d/$lib ]] && { found=$d/$lib; break; }
			done
			[[ -n $found ]] || die "$f needs $lib, not found in: ${dirs[*]} (missing $VM_ARCH package?)"
			mkdir -p "$root/$MULTIARCH_LIB"
			cp -L "$found" "$root/$MULTIARCH_LIB/$lib"
			todo+=("$found")
		done < <(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	done
}

# The packages a foreign guest's base userland is unpacked from (the host's
# own binaries serve the amd64 guests). The python is the host's version, so
# that the host's stdlib sources and bytecode fit it.
guest_debs() {
	local py
	py=$("$HOST_PYTHON" -S -I -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	echo busybox-static bash "python$py-minimal" "libpython$py-minimal" "libpython$py-stdlib" libexpat1 trace-cmd libtracecmd1 libzstd1
}

# guest_root: set GUEST_ROOT to a folder holding the foreign architecture's
# busybox, bash, python and trace-cmd, unpacked (dpkg -x) from their Debian
# packages, fetched with `apt-get download` once and kept in the cache
# (remove $VM_CACHE/$VM_ARCH-root to take newer ones after an apt-get update).
guest_root() {
	local p deb tmp
	GUEST_ROOT=$VM_CACHE/$VM_ARCH-root
	# .complete names the packages unpacked: a changed list redoes it.
	[[ $(cat "$GUEST_ROOT/.complete" 2>/dev/null) == "$(guest_debs)" ]] && return 0
	mkdir -p "$VM_CACHE/$VM_ARCH-debs"
	for p in $(guest_debs); do
		compgen -G "$VM_CACHE/$VM_ARCH-debs/${p}_*_$VM_ARCH.deb" >/dev/null && continue
		log "downloading $p:$VM_ARCH"
		(cd "$VM_CACHE/$VM_ARCH-debs" && apt-get download -q "$p:$VM_ARCH") 2>&1 |
			grep -v -e '^W: Download is performed unsandboxed' -e '^ *$' >&2 || true
		compgen -G "$VM_CACHE/$VM_ARCH-debs/${p}_*_$VM_ARCH.deb" >/dev/null ||
			die "apt-get download $p:$VM_ARCH failed (no 'dpkg --add-architecture $VM_ARCH' + 'apt-get update'? see scripts/deps.sh)"
	done
	tmp=$(mktemp -d "$VM_CACHE/.$VM_ARCH-root.XXXXXX")
	for deb in "$VM_CACHE/$VM_ARCH-debs"/*.deb; do
		dpkg-deb -x "$deb" "$tmp" || die "cannot unpack $deb"
	done
	guest_debs >"$tmp/.complete"
	rm -rf "$GUEST_ROOT"
	mv "$tmp" "$GUEST_ROOT"
}

# copy_python ROOT: /usr/bin/python3 and the stdlib files that
# GUEST_PY_MODULES load, found by importing them on the host (so the list
# follows the host's Python version without a hand-kept file list).
copy_python() {
	local root=$1 f rel src pyver
	pyver=$("$HOST_PYTHON" -S -I -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	if [[ $VM_ARCH == amd64 ]]; then
		cp -L "$HOST_PYTHON" "$root/usr/bin/python3"
	else
		cp -L "$GUEST_ROOT/usr/bin/python$pyver" "$root/usr/bin/python3"
	fi
	copy_libs "$root" "$root/usr/bin/python3"
	# -S -I: no site-packages, no user paths: exactly what the guest will do.
	# shellcheck disable=SC2086 # GUEST_PY_MODULES is a word list
	"$HOST_PYTHON" -S -I -c '
import sys
for m in sys.argv[1:]:
    __import__(m)
import os  # the landmark Python uses to find its prefix at startup
import encodings.utf_8, encodings.latin_1, encodings.ascii, encodings.aliases
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f:
        print(f)
' $GUEST_PY_MODULES | sort -u | while IFS= read -r f; do
		rel=${f#/}
		# The host may reach the stdlib through /usr/lib or /lib; the guest
		# python looks under /usr/lib/pythonX.Y next to /usr/bin.
		[[ $rel == lib/* ]] && rel=usr/$rel
		mkdir -p "$root/$(dirname "$rel")"
		src=$f
		# Compiled modules (lib-dynload/*.so) of a foreign guest: the same
		# module of its own architecture, from the unpacked packages.
		if [[ $VM_ARCH != amd64 && $f == *.so ]]; then
			src=$GUEST_ROOT/${f//x86_64-linux-gnu/$TRIPLET}
			rel=${rel//x86_64-linux-gnu/$TRIPLET}
			[[ -e $src ]] || die "no $VM_ARCH build of $f in $GUEST_ROOT"
			cp -p "$src" "$root/$rel"
			copy_libs "$root" "$src"
			continue
		fi
		cp -p "$f" "$root/$rel"
		# Ship the host's bytecode too (same mtime as the source, so it is
		# valid): compiling the modules under TCG at every boot is slow.
		local pyc
		for pyc in "$(dirname "$f")/__pycache__/$(basename "${f%.py}")".cpython-*.pyc; do
			[[ -e $pyc ]] || continue
			mkdir -p "$root/$(dirname "$rel")/__pycache__"
			cp -p "$pyc" "$root/$(dirname "$rel")/__pycache__/"
		done
	done
	# The guest's python has the same version as the host's: link the
	# versioned name too (error messages and shebangs use it).
	ln -sfn python3 "$root/usr/bin/python$pyver"
}

# copy_terminfo ROOT: the few terminal descriptions ncurses (the tools'
# --top view) may need on a serial console or in `--shell`.
copy_terminfo() {
	local root=$1 t src
	for t in d/dumb l/linux v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color s/screen; do
		for src in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
			if [[ -e $src/$t ]]; then
				mkdir -p "$root/usr/share/terminfo/${t%/*}"
				cp -L "$src/$t" "$root/usr/share/terminfo/$t"
				break
			fi
		done
	done
}

# write_cpio DIR OUT: archive DIR as a newc cpio owned by root. Parents are
# listed before their children (sort), as the kernel's unpacker needs.
write_cpio() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out.tmp" || die "cpio failed for $dir"
	case ${SNOOP_VM_COMPRESS:-none} in
	none) ;;
	gzip) gzip -1 -n <"$out.tmp" >"$out.tmp.z" && mv "$out.tmp.z" "$out.tmp" ;;
	lz4) lz4 -l -1 -q <"$out.tmp" >"$out.tmp.z" && mv "$out.tmp.z" "$out.tmp" ;;
	zstd) zstd -1 -q <"$out.tmp" >"$out.tmp.z" && mv "$out.tmp.z" "$out.tmp" ;;
	*) die "SNOOP_VM_COMPRESS must be none, gzip, lz4 or zstd" ;;
	esac
	mv "$out.tmp" "$out"
}

# base_key: changes whenever an input of the base archive changes, so a
# stale cached base is never used (the archive's name carries it).
base_key() {
	{
		cat "${BASH_SOURCE[0]}"
		echo "${SNOOP_VM_COMPRESS:-none} $VM_ARCH"
		[[ $VM_ARCH == amd64 ]] || ls -l "$VM_CACHE/$VM_ARCH-debs"
		stat -L -c '%n %s %Y' "$(command -v busybox)" /bin/bash "$HOST_PYTHON"
		stat -L -c '%n %s %Y' "$(command -v trace-cmd)" 2>/dev/null || true
		stat -L -c '%n %s %Y' "$(command -v strace)" 2>/dev/null || true
	} | md5sum | cut -c1-12
}

# build_base: print the path of the base archive, building it if needed.
build_base() {
	local key out stage a
	[[ $VM_ARCH == amd64 ]] || guest_root
	key=$(base_key)
	out=$VM_CACHE/initramfs/base-$KERNEL_PREFIX$key.cpio
	if [[ ! -s $out ]]; then
		mkdir -p "$VM_CACHE/initramfs"
		stage=$(mktemp -d "$VM_CACHE/initramfs/.stage.XXXXXX")
		skeleton "$stage"
		local bin=/usr/bin/busybox sh=/bin/bash tc st
		tc=$(command -v trace-cmd || true)
		if [[ $VM_ARCH != amd64 ]]; then
			bin=$GUEST_ROOT/bin/busybox sh=$GUEST_ROOT/bin/bash tc=$GUEST_ROOT/usr/bin/trace-cmd
		else
			bin=$(command -v busybox)
		fi
		cp -L "$bin" "$stage/usr/bin/busybox"
		# Every applet as a symlink in /usr/bin, except those the host's
		# real binaries replace. (The list is the host's busybox's: the
		# same Debian version as a foreign guest's.)
		for a in $(busybox --list); do
			case $a in busybox | bash) continue ;; esac
			ln -s busybox "$stage/usr/bin/$a"
		done
		cp -L "$sh" "$stage/usr/bin/bash"
		copy_libs "$stage" "$stage/usr/bin/bash"
		# The real trace-cmd, when the host has it: the reliability group's
		# coexistence tests run it beside the tools (its libtracefs and
		# libtraceevent are the ones the tools use too).
		if [[ -n $tc && -e $tc ]]; then
			cp -L "$tc" "$stage/usr/bin/trace-cmd"
			copy_libs "$stage" "$stage/usr/bin/trace-cmd"
		fi
		# strace, the witness of the ground-truth test
		# (execsnoop/groundtruth): Debian's, dynamically linked, so with
		# its libraries (libunwind, liblzma). amd64 guests only: the
		# arm64 userland comes from .debs that do not include it.
		st=$(command -v strace || true)
		if [[ $VM_ARCH == amd64 && -n $st && -e $st ]]; then
			cp -L "$st" "$stage/usr/bin/strace"
			copy_libs "$stage" "$stage/usr/bin/strace"
		fi
		copy_python "$stage"
		copy_terminfo "$stage"
		# The host's C.UTF-8 (LANG in the guest), so that tools see the
		# same multibyte behaviour (escaping, ncurses) as on a real system.
		if [[ -d /usr/lib/locale/C.utf8 ]]; then
			mkdir -p "$stage/usr/lib/locale"
			cp -r /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"
		fi
		printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
		write_cpio "$stage" "$out"
		rm -rf "$stage"
		# Old bases are dead weight once the key changed.
		# (not at once: a parallel run of an older tree may still read one).
		find "$VM_CACHE/initramfs" -maxdepth 1 -name "base-$KERNEL_PREFIX????????????.cpio" ! -name "base-$KERNEL_PREFIX$key.cpio" -mtime +2 -delete
	fi
	echo "$out"
}
