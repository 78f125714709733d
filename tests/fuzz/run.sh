#!/usr/bin/env bash
# Build and run the libFuzzer targets of tests/fuzz/ (issue 9) with clang:
#   tests/fuzz/run.sh [-t SECONDS] [-o OUTDIR] [TARGET...]
# Each target is compiled with -fsanitize=fuzzer,address,undefined together
# with the libsnoop sources (lib/*.c, with fuzzer-no-link instrumentation),
# then run for SECONDS (default 25) on its committed corpus
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
((${#targets[@]})) || targets=(probe_parse escape record)
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
for t in "${targets[@]}"; do
	bin=$out/fuzz_$t
	clang "${cflags[@]}" -fsanitize=fuzzer "$here/fuzz_$t.c" "${objs[@]}" "${libs[@]}" -o "$bin"
	mkdir -p "$out/new-$t"
	corpus=$here/corpus/$t
	log=$out/$t.log
	st=0
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$out/crash-$t-" -print_final_stats=1 \
		"$out/new-$t" "$corpus" >"$log" 2>&1 || st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	runs=${runs:-0}
	total=$((total + runs))
	if ((st != 0)); then
		tail -n 60 "$log" >&2
		echo "FAIL: fuzz_$t found a problem after $runs executions (artifact in $out)" >&2
		exit 1
	fi
	echo "fuzz_$t: $runs executions in ${secs}s, corpus $(ls "$corpus" | wc -l) committed units"
done
echo "fuzz executions: $total"
