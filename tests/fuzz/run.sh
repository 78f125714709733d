#!/usr/bin/env bash
# Build and run the libFuzzer targets of tests/fuzz/ (issue 9) with clang:
#   tests/fuzz/run.sh [-t SECONDS] [-o OUTDIR] [TARGET...]
# Each target is compiled with -fsanitize=fuzzer,address,undefined together
# with the libsnoop sources (lib/*.c, with fuzzer-no-link instrumentation),
# (and the few tool sources it names in `extra` below), then run for
# SECONDS (default 25) on its committed corpus
# tests/fuzz/corpus/<target>/ (read only: new units go to OUTDIR, which is
# thrown away, so the committed corpus stays small). Prints the number of
# executions per target and in all ("fuzz executions: N"). Exit 77 when
# clang or its libFuzzer runtime is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=${SNOOP_FUZZ_SECONDS:-25}
out=
while getopts t:o: opt; do
	case $opt in t) secs=$OPTARG ;; o) out=$OPTARG ;; *) exit 64 ;; esac
done
shift $((OPTIND - 1))
targets=("$@")
((${#targets[@]})) || targets=(probe_parse escape record filter format)
# Tool sources a target links (pure helpers and formatters, unchanged: the
# target supplies stubs for what they call in the rest of the tool).
declare -A extra=(
	[filter]="tools/opensnoop/flags.c"
	[format]="tools/kprobe/format.c tools/opensnoop/format.c tools/opensnoop/flags.c tools/execsnoop/format.c"
)
command -v clang >/dev/null || { echo "SKIP: clang not installed" >&2; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' >/tmp/fz-probe.$$.c
if ! clang -fsanitize=fuzzer -o /tmp/fz-probe.$$ /tmp/fz-probe.$$.c 2>/dev/null; then
	rm -f /tmp/fz-probe.$$*
	echo "SKIP: clang has no libFuzzer runtime" >&2; exit 77
fi
rm -f /tmp/fz-probe.$$*
out=${out:-$(mktemp -d /tmp/snoop-fuzz.XXXXXX)}
mkdir -p "$out/obj"
trap 'rm -rf "$out/new-"*' EXIT

pkgs="libtracefs libtraceevent ncursesw"
cflags=(-g -O1 -std=gnu11 -D_GNU_SOURCE -I"$src/include" $(pkg-config --cflags $pkgs)
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
libs=($(pkg-config --libs $pkgs) -lm)
objs=()
for c in "$src"/lib/*.c; do
	o=$out/obj/$(basename "${c%.c}").o
	if [[ ! -e $o || $c -nt $o ]]; then
		clang "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$c" -o "$o"
	fi
	objs+=("$o")
done

total=0
failed=()
for t in "${targets[@]}"; do
	bin=$out/fuzz_$t
	tobjs=()
	for c in ${extra[$t]:-}; do
		o=$out/obj/$(echo "${c%.c}" | tr / _).o
		if [[ ! -e $o || $src/$c -nt $o ]]; then
			clang "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$src/$c" -o "$o"
		fi
		tobjs+=("$o")
	done
	clang "${cflags[@]}" -fsanitize=fuzzer "$here/fuzz_$t.c" "${tobjs[@]}" "${objs[@]}" "${libs[@]}" -o "$bin"
	mkdir -p "$out/new-$t"
	corpus=$here/corpus/$t
	log=$out/$t.log
	st=0
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$here/../lsan.supp:print_suppressions=0 \
		"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 -close_fd_mask=3 \
		-artifact_prefix="$out/crash-$t-" -print_final_stats=1 \
		"$out/new-$t" "$corpus" >"$log" 2>&1 || st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	total=$((total + runs))
	if ((st != 0)); then
		tail -n 60 "$log" >&2
		echo "FAIL: fuzz_$t found a problem after $runs executions (artifact in $out)" >&2
		failed+=("$t")
		continue
	fi
	echo "fuzz_$t: $runs executions in ${secs}s, corpus $(ls "$corpus" | wc -l) committed units"
done
echo "fuzz executions: $total"
# Every target runs even when one fails: one finding must not hide another.
((${#failed[@]} == 0)) || { echo "FAIL: ${failed[*]}" >&2; exit 1; }
