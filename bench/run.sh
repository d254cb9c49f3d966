#!/usr/bin/env bash
# ecapturedump's benchmarks, side by side in one run (figures; nothing is asserted). As root:
#
#   BUILD_DIR=build bench/run.sh          # about 12 minutes
#   QUICK=1 BUILD_DIR=build bench/run.sh  # about 2 minutes, fewer and shorter runs
#
# It installs what it lacks (Debian packages), builds BUILD_DIR (configuring it if needed),
# then measures: 1. per-call cost against empty-uprobe floors, 2. HTTPS throughput (keep-alive
# and new connections), 3. live latency of each output path against a plain tshark -i lo,
# 4. loss under load, 5. startup and teardown with many processes, 6. the cost to unrelated
# syscalls, 7. ecapturedump's CPU and peak memory in every run above (8. issue 10's targets,
# met or missed by how much); always with no tracing and
# with the peer tools (a bpftrace script, bcc's sslsniff) for comparison. It prints markdown
# tables, and writes bench/RESULTS.md (tables and the machine) and bench/results.png.
#
# Knobs: ROUNDS BYTES REPEAT (per-call), WRK_SECS AB_N (throughput), LAT_N LAT_MS (latency),
# LOSS_N (loss), NPROCS SU_REPEAT (startup), DD_COUNT (syscalls), SECTIONS (e.g. "1 3").
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || {
	echo "run.sh: run as root (it loads BPF programs)" >&2
	exit 1
}
BUILD_DIR=$(realpath -m "${BUILD_DIR:-build}")
if [ "${QUICK:-0}" = 1 ]; then
	: "${ROUNDS:=5000}" "${REPEAT:=1}" "${WRK_SECS:=3}" "${AB_N:=500}" "${LAT_N:=100}"
	: "${LOSS_N:=2000}" "${NPROCS:=100}" "${SU_REPEAT:=1}" "${DD_COUNT:=500000}"
fi
ROUNDS=${ROUNDS:-20000} BYTES=${BYTES:-100} REPEAT=${REPEAT:-3}
WRK_SECS=${WRK_SECS:-10} AB_N=${AB_N:-3000} LAT_N=${LAT_N:-500} LAT_MS=${LAT_MS:-20}
LOSS_N=${LOSS_N:-20000} NPROCS=${NPROCS:-500} SU_REPEAT=${SU_REPEAT:-3} DD_COUNT=${DD_COUNT:-2000000}
SECTIONS=${SECTIONS:-1 2 3 4 5 6}

EC=$BUILD_DIR/ecapturedump
BIN=$BUILD_DIR/bench
TMP=$(mktemp -d /tmp/ecbench.XXXXXX)
OUT=$TMP/out
mkdir -p "$OUT"
declare -A PEER_WHY=()

# shellcheck source=bench/lib.sh
. bench/lib.sh
# shellcheck source=bench/setup.sh
. bench/setup.sh
# shellcheck source=bench/report.sh
. bench/report.sh
# shellcheck source=bench/sections/percall.sh
. bench/sections/percall.sh
# shellcheck source=bench/sections/throughput.sh
. bench/sections/throughput.sh
# shellcheck source=bench/sections/latency.sh
. bench/sections/latency.sh
# shellcheck source=bench/sections/loss.sh
. bench/sections/loss.sh
# shellcheck source=bench/sections/startup.sh
. bench/sections/startup.sh
# shellcheck source=bench/sections/syscall.sh
. bench/sections/syscall.sh
# shellcheck source=bench/sections/targets.sh
. bench/sections/targets.sh

cleanup() {
	ec_stop 2>/dev/null || true
	peer_stop 2>/dev/null || true
	nginx_stop 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
install_deps
build
prepare_peers
LIBSSL=$(ldd "$BIN/tls_roundtrip" | awk '/libssl\.so/ { print $3 }')
EXTCAP_BIN=$(extcap_dir)/ecapturedump

# The lock is held for one section at a time (others measure on this machine too).
exec 9>/tmp/ecapture-e2e.lock
: >"$OUT/resources.rows"
names=(x percall throughput latency loss startup syscall)
for n in $SECTIONS; do
	note "== section $n: ${names[$n]} ($(date +%T))"
	locked "section_${names[$n]}" || note "section ${names[$n]} failed"
done
{
	echo "### 7. ecapturedump's CPU time and peak memory, per run above"
	echo
	echo "User + system CPU seconds and VmHWM, read from /proc just before its SIGINT."
	echo
	echo "| run | CPU s | peak RSS MB |"
	echo "|---|---|---|"
	cat "$OUT/resources.rows"
} >"$OUT/7-resources.md"
section_targets

write_results
