#!/usr/bin/env bash
# Speed and memory of ecapturedump, as figures (nothing is asserted): the cost of one TLS round
# trip (SSL_write + SSL_read on both ends, 100 bytes, over TCP loopback) with no tracing, with
# empty probes on the same functions (the floor any uprobe-based tool pays), and with
# ecapturedump in each mode; plus ecapturedump's peak memory and CPU time. As root:
#   BUILD_DIR=build bench/run.sh            (ROUNDS, BYTES and REPEAT can be set)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
ROUNDS=${ROUNDS:-20000}
BYTES=${BYTES:-100}
REPEAT=${REPEAT:-3}
RT="$BUILD_DIR/bench/tls_roundtrip"
FLOOR="$BUILD_DIR/bench/uprobe_floor"
EC="$BUILD_DIR/ecapturedump"
for f in "$RT" "$FLOOR" "$EC"; do
	[ -x "$f" ] || { echo "build first: $f is missing" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
LIBSSL=$(ldd "$RT" | awk '/libssl\.so/ { print $3 }')
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Nothing else of ours may run meanwhile (the e2e tests take the same lock).
exec 9>/tmp/ecapture-e2e.lock
flock 9

# The median of REPEAT runs, microseconds per round.
measure() {
	# One CPU for both ends: no cross-CPU wakeups, far less noise; ecapturedump gets the other.
	for _ in $(seq "$REPEAT"); do taskset -c 0 "$RT" "$ROUNDS" "$BYTES"; done | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

wait_for() {
	local file=$1 text=$2
	for _ in $(seq 300); do
		grep -q "$text" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$text' in $file" >&2
	exit 1
}

base=$(measure)
printf '%-34s %9s %9s %9s %10s %8s\n' "configuration" "us/round" "+us" "+us>floor" "peak RSS" "CPU s"
printf '%-34s %9.2f %9s %9s %10s %8s\n' "no tracing" "$base" - - - -

"$FLOOR" "$LIBSSL" >"$TMP/floor.out" &
fp=$!
wait_for "$TMP/floor.out" ready
floor=$(measure)
kill -INT "$fp"
wait "$fp"
printf '%-34s %9.2f %9.2f %9s %10s %8s\n' "empty perf uprobes (floor)" "$floor" \
	"$(echo "$floor - $base" | bc -l)" 0 - -

# run_ec LABEL ARGS...: ecapturedump with ARGS while measuring; its memory and CPU from /proc.
run_ec() {
	local label=$1 pid t rss cpu hz
	shift
	"$EC" --netif lo "$@" >/dev/null 2>"$TMP/ec.err" &
	pid=$!
	wait_for "$TMP/ec.err" capturing:
	t=$(measure)
	rss=$(awk '/VmHWM/ { print $2 " kB" }' "/proc/$pid/status")
	hz=$(getconf CLK_TCK)
	cpu=$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat")
	kill -INT "$pid"
	wait "$pid"
	printf '%-34s %9.2f %9.2f %9.2f %10s %8s\n' "$label" "$t" "$(echo "$t - $base" | bc -l)" \
		"$(echo "$t - $floor" | bc -l)" "$rss" "$cpu"
}

run_ec "ecapturedump packets+keys" -w /dev/null
run_ec "ecapturedump plaintext records" -m plaintext -w /dev/null
run_ec "ecapturedump packets+plaintext" -m both -w /dev/null
run_ec "ecapturedump keys only (--keylog)" --keylog "$TMP/keys.txt"
echo "($ROUNDS rounds of $BYTES bytes, median of $REPEAT runs; libssl: $LIBSSL)"
