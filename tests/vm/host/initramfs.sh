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

MULTIARCH_LIB=usr/lib/x86_64-linux-gnu

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

# copy_python ROOT: /usr/bin/python3 and the stdlib files that
# GUEST_PY_MODULES load, found by importing them on the host (so the list
# follows the host's Python version without a hand-kept file list).
copy_python() {
	local root=$1 f rel
	cp -L "$HOST_PYTHON" "$root/usr/bin/python3"
	copy_libs "$root" "$HOST_PYTHON"
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
	local pyver
	pyver=$("$HOST_PYTHON" -S -I -c 'import sys; print("%d.%d" % sys.version_info[:2])')
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
		echo "${SNOOP_VM_COMPRESS:-none}"
		stat -L -c '%n %s %Y' "$(command -v busybox)" /bin/bash "$HOST_PYTHON"
		stat -L -c '%n %s %Y' "$(command -v trace-cmd)" 2>/dev/null || true
	} | md5sum | cut -c1-12
}

# build_base: print the path of the base archive, building it if needed.
build_base() {
	local key out stage a
	key=$(base_key)
	out=$VM_CACHE/initramfs/base-$key.cpio
	if [[ ! -s $out ]]; then
		mkdir -p "$VM_CACHE/initramfs"
		stage=$(mktemp -d "$VM_CACHE/initramfs/.stage.XXXXXX")
		skeleton "$stage"
		cp -L "$(command -v busybox)" "$stage/usr/bin/busybox"
		# Every applet as a symlink in /usr/bin, except those the host's
		# real binaries replace.
		for a in $(busybox --list); do
			case $a in busybox | bash) continue ;; esac
			ln -s busybox "$stage/usr/bin/$a"
		done
		cp -L /bin/bash "$stage/usr/bin/bash"
		copy_libs "$stage" /bin/bash
		# The real trace-cmd, when the host has it: the reliability group's
		# coexistence tests run it beside the tools (its libtracefs and
		# libtraceevent are the ones the tools use too).
		if command -v trace-cmd >/dev/null; then
			cp -L "$(command -v trace-cmd)" "$stage/usr/bin/trace-cmd"
			copy_libs "$stage" "$stage/usr/bin/trace-cmd"
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
		find "$VM_CACHE/initramfs" -maxdepth 1 -name 'base-*.cpio' ! -name "base-$key.cpio" -mtime +2 -delete
	fi
	echo "$out"
}
