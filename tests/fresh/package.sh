#!/usr/bin/env bash
# Issue 13: in the root of run.sh, `./scripts/package` builds
# snoopkit_<version>_amd64.deb: every tool of tools/*/ in /usr/sbin, the man
# pages, README and examples under /usr/share/doc/snoopkit, Depends from
# shlibdeps. Copies it to build/fresh/ for deb.sh.
. "$(dirname "$0")/lib.sh"

root=$FRESH_DIR/a
[ -d "$root$FRESH_HOME" ] || fail "no root from fresh/run in $root"
fresh_step package "cd $FRESH_HOME && ./scripts/package" \
	fresh_chroot "$root" bash -c "cd $FRESH_HOME && ./scripts/package"
version=$(sed -n 's/^project(snoopkit VERSION \([0-9.]*\).*/\1/p' "$SNOOP_SRC/CMakeLists.txt")
deb=$root$FRESH_HOME/build/snoopkit_${version}_amd64.deb
[ -f "$deb" ] || fail "no $(basename "$deb") (have: $(ls "$root$FRESH_HOME/build/"*.deb 2>/dev/null))"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$WORK/files"
want=()
for f in "$SNOOP_SRC"/tools/*/CMakeLists.txt; do
	t=$(sed -n 's/^snoop_add_tool(\([^)]*\)).*/\1/p' "$f")
	[ -n "$t" ] && want+=("/usr/sbin/$t")
done
for f in "$SNOOP_SRC"/man/man8/*.8; do want+=("/usr/share/man/man8/$(basename "$f")"); done
for f in "$SNOOP_SRC"/examples/*; do want+=("/usr/share/doc/snoopkit/examples/$(basename "$f")"); done
want+=(/usr/share/doc/snoopkit/README.md)
for f in "${want[@]}"; do
	grep -qxF "$f" "$WORK/files" || fail "$f is not in $(basename "$deb"); it has: $(tr '\n' ' ' < "$WORK/files")"
done
depends=$(dpkg-deb -f "$deb" Depends)
note "Depends: $depends"
for lib in libtracefs1 libtraceevent1 libc6; do
	[[ $depends == *"$lib"* ]] || fail "Depends lacks $lib (shlibdeps): $depends"
done
cp "$deb" "$FRESH_DIR/"
note "$(basename "$deb"): ${#want[@]} files checked, $(du -h "$deb" | cut -f1)"
