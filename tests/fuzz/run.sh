#!/usr/bin/env bash
# Long fuzz runs: every target of a fuzz build (or the ones named) for RUNS inputs each, then a
# table of inputs run and crashes per target. New inputs go to the build tree's working corpus;
# a crashing input is kept in BUILD/tests/fuzz/fuzz-artifacts/ (reproduce: run the target on it).
#   tests/fuzz/run.sh BUILD [RUNS] [TARGET...]      e.g. run.sh build-fuzz 1000000 tls_parse
# Build first: cmake -S . -B BUILD -DCMAKE_C_COMPILER=clang -DECAPTURE_FUZZ=ON
#              cmake --build BUILD --target fuzzers
# FUZZ_PARALLEL=N runs N targets at once (default 1); FUZZ_MAX_SECONDS bounds each (default 1 h).
# Exit status 1 if any target crashed.
set -uo pipefail

if [ $# -lt 1 ]; then
	sed -n '2,10p' "$0" >&2
	exit 2
fi
build=$(readlink -f "$1")
runs=${2:-1000000}
shift $(($# >= 2 ? 2 : 1))
src=$(dirname "$(readlink -f "$0")")
bin="$build/tests/fuzz"
logs="$bin/logs"
artifacts="$bin/fuzz-artifacts"
parallel=${FUZZ_PARALLEL:-1}
max_seconds=${FUZZ_MAX_SECONDS:-3600}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$src"/fuzz_*.c; do
		name=$(basename "$f" .c)
		[ "$name" = fuzz_common ] || targets+=("${name#fuzz_}")
	done
fi
mkdir -p "$logs" "$artifacts"

run_one() {
	local t=$1 exe="$bin/fuzz_$1"
	if [ ! -x "$exe" ]; then
		echo "run.sh: $exe is not built (cmake --build $build --target fuzzers)" >"$logs/$t.log"
		return
	fi
	mkdir -p "$bin/corpus/$t"
	"$exe" -runs="$runs" -max_total_time="$max_seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
		"$bin/corpus/$t" "$src/corpus/$t" >"$logs/$t.log" 2>&1
	echo "exit=$?" >>"$logs/$t.log"
}

running=0
for t in "${targets[@]}"; do
	echo "== fuzz_$t: $runs inputs (log: $logs/$t.log)"
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$parallel" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

status=0
printf '%-14s %12s %8s %s\n' target inputs crashes result
for t in "${targets[@]}"; do
	log="$logs/$t.log"
	inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	exit_line=$(sed -n 's/^exit=//p' "$log" | tail -1)
	# libFuzzer stops at the first crash, leak, timeout or out-of-memory: 0 or 1 per run
	crashes=0
	result=ok
	if [ "${exit_line:-1}" != 0 ]; then
		crashes=1
		result="FAILED: $(grep -m1 -E 'ERROR|SUMMARY' "$log" || echo "exit ${exit_line:-?}")"
		status=1
	fi
	printf '%-14s %12s %8s %s\n' "$t" "${inputs:-?}" "$crashes" "$result"
done
exit $status
