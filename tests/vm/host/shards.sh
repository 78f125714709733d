# Splitting test groups over several boots, and the test times that drive
# it (sourced by ../run).
# shellcheck shell=bash
#
# ctest runs one boot per "shard": a group's tests, or a share of them, such
# that one boot stays under a minute of wall time on the 2-core machine with
# two guests side by side (the speed rule of issue 3). A shard's tests are
# picked by their recorded guest time in host/durations, the largest first
# into the least loaded shard, with as few shards as keep each under
# $VM_SHARD_BUDGET seconds of test time; the boot itself adds ~5 s, a test
# longer than the budget boots alone.

VM_DURATIONS=$VM_DIR/host/durations
# Guest seconds of tests per boot: with ~5 s of boot, ~0.3 s of runner per
# test and the run-to-run spread seen under `ctest -j2` (10-20 %), 40 s of
# recorded test time lands at 50-55 s of wall time.
VM_SHARD_BUDGET=${SNOOP_VM_SHARD_BUDGET:-40}

# test_limit FILE: the test's own "# vm-timeout: N", else $test_timeout.
test_limit() {
	local n
	n=$(sed -n 's/^#[[:space:]]*vm-timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
	echo "${n:-${test_timeout:-60}}"
}

# load_durations: DURATION[group/test] = recorded seconds (whole, rounded up).
declare -A DURATION=()
load_durations() {
	local id secs _
	DURATION=()
	[[ -r $VM_DURATIONS ]] || return 0
	while read -r id secs _; do
		[[ -n $id && $id != '#'* && $secs =~ ^[0-9]+$ ]] || continue
		DURATION[$id]=$secs
	done <"$VM_DURATIONS"
}

# test_estimate ID: the recorded time of a test; for one not recorded yet,
# its time limit, so that a new test boots alone (or with small ones) until
# a run has measured it: a boot over the minute is worse than one boot more.
test_estimate() {
	if [[ -n ${DURATION[$1]:-} ]]; then
		echo "${DURATION[$1]}"
	else
		test_limit "${GROUPS_DIR:-$VM_DIR}/$1.sh"
	fi
}

# boot_limit ID...: the hard limit of one boot running these tests: 60 s for
# kernel and init, then every test at its limit plus the runner's 5 s
# SIGKILL grace and a second of book-keeping.
boot_limit() {
	local limit=60 t
	for t in "$@"; do
		limit=$((limit + $(test_limit "${GROUPS_DIR:-$VM_DIR}/$t.sh") + 6))
	done
	echo "$limit"
}

# plan_group GROUP [ID...]: print the shards of GROUP's tests (or of the
# IDs given, a part of it: the arm64 CI set), one line each:
#   shard NAME ESTIMATE LIMIT ID...
# NAME is GROUP when one boot is enough, else GROUP-1, GROUP-2, ... numbered
# by their first test; ESTIMATE the recorded seconds of its tests, LIMIT its
# boot_limit; the IDs in name order (the order the guest runs them in).
plan_group() {
	local g=$1 f i b k n total best ok
	local ids=("${@:2}") est=() order=() load=() count=() bin=()
	if ((${#ids[@]} == 0)); then
		for f in "$VM_DIR/$g"/*.sh; do
			[[ -e $f ]] || continue
			ids+=("$g/$(basename "${f%.sh}")")
		done
	fi
	n=${#ids[@]}
	((n)) || return 0
	total=0
	for i in "${!ids[@]}"; do
		est[i]=$(test_estimate "${ids[i]}")
		total=$((total + est[i]))
	done
	# Longest first; ties in name order, so the plan is the same everywhere.
	mapfile -t order < <(for i in "${!ids[@]}"; do echo "${est[i]} $i"; done |
		LC_ALL=C sort -k1,1nr -k2,2n | cut -d' ' -f2)
	k=$(((total + VM_SHARD_BUDGET - 1) / VM_SHARD_BUDGET))
	((k >= 1)) || k=1
	while :; do
		load=() count=() bin=()
		for ((b = 0; b < k; b++)); do load[b]=0 count[b]=0; done
		for i in "${order[@]}"; do
			best=0
			for ((b = 1; b < k; b++)); do
				((load[b] < load[best])) && best=$b
			done
			bin[i]=$best
			load[best]=$((load[best] + est[i]))
			count[best]=$((count[best] + 1))
		done
		ok=1
		for ((b = 0; b < k; b++)); do
			((load[b] <= VM_SHARD_BUDGET || count[b] <= 1)) || ok=0
		done
		((ok || k >= n)) && break
		k=$((k + 1))
	done
	# Shards numbered in the order of their first test (ids are in name
	# order), which keeps the numbers stable when estimates move a little.
	local -A num=()
	local next=1 name members
	for i in "${!ids[@]}"; do
		b=${bin[i]}
		[[ -n ${num[$b]:-} ]] || { num[$b]=$next; next=$((next + 1)); }
	done
	for ((next = 1; next <= k; next++)); do
		for ((b = 0; b < k; b++)); do
			[[ ${num[$b]:-} == "$next" ]] && break
		done
		members=()
		for i in "${!ids[@]}"; do
			((bin[i] == b)) && members+=("${ids[i]}")
		done
		((${#members[@]})) || continue
		name=$g
		((k == 1)) || name=$g-$next
		echo "shard $name ${load[b]} $(boot_limit "${members[@]}") ${members[*]}"
	done
}

# record_durations K DIR: append the guest seconds of the passed or skipped
# tests of a boot (DIR/out/records.txt) to $WORK/durations.log, for
# --update-durations. Failed tests are left out: their time says little.
record_durations() {
	local k=$1 records=$2/out/records.txt kind id rc secs _
	[[ -s $records ]] || return 0
	mkdir -p "$WORK"
	while read -r _ kind id rc secs _; do
		[[ $kind == RESULT && ($rc == 0 || $rc == 77) ]] || continue
		printf '%s %s %s %s\n' "$(date +%s)" "$k" "$id" "$secs"
	done <"$records" >>"$WORK/durations.log"
}

# update_durations: rewrite host/durations from $WORK/durations.log: for each
# test, the largest of its last three times on each kernel (one quick run
# under a light load must not shrink a boot's share), the larger of the two
# kernels, rounded up. Tests not measured keep their old figure; removed
# tests go.
update_durations() {
	local log=$WORK/durations.log id f tmp secs
	[[ -s $log ]] || die "no measured times in $log yet: run the vm tests (ctest -L vm -j2) first"
	load_durations
	local -A new=()
	while read -r id secs; do
		new[$id]=$secs
	done < <(awk '
		{ key = $2 " " $3; n = ++count[key]; t[key, n] = $4 }
		END {
			for (key in count) {
				m = 0
				for (i = count[key]; i > count[key] - 3 && i > 0; i--)
					if (t[key, i] > m) m = t[key, i]
				split(key, kt, " ")
				if (m > best[kt[2]]) best[kt[2]] = m
			}
			for (id in best) {
				n = int(best[id]); if (n < best[id]) n++
				print id, (n < 1 ? 1 : n)
			}
		}' "$log")
	tmp=$VM_DURATIONS.tmp.$$
	{
		sed -n '/^#/p' "$VM_DURATIONS" 2>/dev/null
		for f in "$VM_DIR"/*/*.sh; do
			id=${f#"$VM_DIR"/}
			id=${id%.sh}
			case $id in host/* | guest/*) continue ;; esac
			secs=${new[$id]:-${DURATION[$id]:-}}
			[[ -z $secs ]] || printf '%s %s\n' "$id" "$secs"
		done | LC_ALL=C sort
	} >"$tmp"
	mv "$tmp" "$VM_DURATIONS"
	log "wrote $VM_DURATIONS ($(grep -vc '^#' "$VM_DURATIONS") tests)"
}
