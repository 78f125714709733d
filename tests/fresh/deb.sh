#!/usr/bin/env bash
# Issue 13, step 3: the .deb of package.sh in a second fresh root:
# `apt-get install ./snoopkit_*.deb` pulls in its dependencies,
# /usr/sbin/execsnoop -d 2 traces (an exec made after arming is reported)
# and exits 0, `man -w execsnoop` finds the page, and `dpkg -r snoopkit`
# leaves nothing of it.
. "$(dirname "$0")/lib.sh"

root=$FRESH_DIR/b
debs=("$FRESH_DIR"/snoopkit_*_amd64.deb)
[ -f "${debs[0]}" ] || fail "no .deb from fresh/package in $FRESH_DIR"
deb=$(basename "${debs[0]}")
fresh_root_tar
fresh_step unpack "tar -xf $FRESH_TAR -C $root" fresh_unpack "$root"
cp "$FRESH_DIR/$deb" "$root/root/"
fresh_step install "apt-get update && apt-get install ./$deb" \
	fresh_chroot "$root" bash -c "cd /root && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./$deb"
# man itself is not in a minimal root: the user's machine has it.
fresh_step man-db "apt-get install man-db" \
	fresh_chroot "$root" bash -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends man-db"

snapshot_tracefs "$WORK/before"
marker=snoopkit-fresh-$$-$RANDOM
fresh_marker_make "$marker"
log=$FRESH_LOGS/$TEST_NAME.execsnoop.log
echo "fresh: execsnoop: /usr/sbin/execsnoop -d 2"
start=$(_fresh_now)
fresh_chroot "$root" /usr/sbin/execsnoop -d 2 >"$WORK/out" 2>"$log" &
bg=$!
BG_PIDS+=("$bg")
show_fail() {
	echo "fresh: execsnoop: FAILED after $(_fresh_secs "$start") s; its stderr:"
	fresh_tail "$log"
	echo "fresh: its last lines of output:"
	fresh_tail "$WORK/out" 10
	fail "$*"
}
pid=$(fresh_tool_pid "$root" execsnoop "$bg" 10) || show_fail "execsnoop never started a session"
( wait_armed "$pid" ) || show_fail "execsnoop (PID $pid) did not arm"
fresh_marker_seen "$WORK/out" "$marker" ||
	show_fail "an exec after arming ($WORK/$marker 1) is not in execsnoop's output"
status=0
wait "$bg" || status=$?
[ "$status" = 0 ] || show_fail "exit $status after -d 2 (want 0)"
echo "fresh: execsnoop: ok in $(_fresh_secs "$start") s: the exec was reported, exit 0"
grep -F "$marker" "$WORK/out" | head -n 1 | cat -v
snapshot_tracefs "$WORK/after"
fresh_assert_tracefs_kept "$WORK/before" "$WORK/after"

fresh_step man "man -w execsnoop" fresh_chroot "$root" man -w execsnoop
page=$(tail -n 1 "$FRESH_LOGS/$TEST_NAME.man.log")
[ "$page" = /usr/share/man/man8/execsnoop.8 ] || fail "man -w execsnoop: '$page'"

fresh_chroot "$root" dpkg -L snoopkit > "$WORK/owned"
fresh_step remove "dpkg -r snoopkit" fresh_chroot "$root" dpkg -r snoopkit
left=()
while IFS= read -r f; do
	[ -e "$root$f" ] || continue
	# Shared directories (/usr, /usr/sbin, ...) stay; anything of ours must go.
	[ -d "$root$f" ] && [[ $f != *snoopkit* ]] && continue
	left+=("$f")
done < "$WORK/owned"
[ "${#left[@]}" = 0 ] || fail "dpkg -r snoopkit left: ${left[*]}"
state=$(fresh_chroot "$root" dpkg-query -W -f='${db:Status-Status}' snoopkit 2>/dev/null || true)
[ -z "$state" ] || [ "$state" = not-installed ] || fail "dpkg says snoopkit is '$state' after dpkg -r"
note "dpkg -r snoopkit: its $(grep -c . "$WORK/owned") paths gone or shared directories"
