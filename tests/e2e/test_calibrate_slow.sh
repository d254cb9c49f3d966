#!/usr/bin/env bash
# Calibrations run in the background: a slow library delays nothing else. A process maps a fake
# libssl.so.3 whose constructor sleeps 20 s (the helper's time limit, 10 s, ends its calibration).
# - At the start: a capture of real curls against nginx decrypts requests within a few seconds
#   of its start, well before that limit (it used to wait for it).
# - While it runs, another process maps another slow libssl: packets of other connections are
#   not delayed meanwhile (each request shows up decrypted within 3 s of being sent).
# - Both slow libraries end as failed calibrations, reported, and no helper is left.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
require_root
require_tools gcc curl nginx tshark python3
require_installed_extcap
PY=/usr/bin/python3

mkdir -p "$E2E_TMP/slow1" "$E2E_TMP/slow2"
for v in 1 2; do
	gcc -shared -fPIC -O1 -DSLOW_S=20 -DVARIANT=$v -Wl,-soname,libssl.so.3 \
		-o "$E2E_TMP/slow$v/libssl.so.3" "$HERE/hostile/hostile.c" || fail "cannot build slow $v"
done

# map_slow N: a quiet process that maps slow library N (its constructor is off there); sets MAPPER.
map_slow() {
	EC_HOSTILE_OFF=1 $PY -c 'import ctypes, sys, time
ctypes.CDLL(sys.argv[1])
time.sleep(600)' "$E2E_TMP/slow$1/libssl.so.3" &
	MAPPER=$!
	E2E_PIDS+=("$MAPPER")
	local i
	for i in $(seq 50); do
		grep -q "$E2E_TMP/slow$1/" "/proc/$MAPPER/maps" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "pid $MAPPER does not map slow library $1"
}

start_nginx
map_slow 1

# Each line of tshark's output with the time it arrived.
t0=$(date +%s.%N)
tshark -i ecapture-tls -l -o "extcap.ecapture_tls.logfile:$E2E_TMP/live.log" \
	-o extcap.ecapture_tls.tlslibs:openssl -Y http.request -T fields -e http.request.uri \
	2>"$E2E_TMP/live.err" 9>&- > >($PY -u -c 'import sys, time
for line in sys.stdin:
    print("%.3f %s" % (time.time(), line), end="", flush=True)' >"$E2E_TMP/live.out") &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")

# Requests from the start on, until one is decrypted.
first=
for i in $(seq 100); do
	curl -sk --http1.1 --max-time 2 "https://127.0.0.1:$TLS_PORT/start-$i" -o /dev/null || true
	if grep -q ' /start-' "$E2E_TMP/live.out" 2>/dev/null; then
		first=$(awk '$2 ~ /^\/start-/ { print $1; exit }' "$E2E_TMP/live.out")
		break
	fi
	kill -0 "$TSHARK_PID" 2>/dev/null || fail "tshark exited early: $(cat "$E2E_TMP/live.err")"
	sleep 0.1
done
[ -n "$first" ] || fail "no request was decrypted: $(cat "$E2E_TMP/live.log")"
ms=$(awk -v a="$t0" -v b="$first" 'BEGIN { printf "%d", (b - a) * 1000 }')
log "first request decrypted ${ms} ms after tshark started"
# tshark and the extcap start in about 1-1.5 s here; a calibration that waited would add up to 10 s.
[ "$ms" -lt 5000 ] || fail "the first request came ${ms} ms after the start: the capture waited for a calibration"
grep -q 'capturing:.*being calibrated' "$E2E_TMP/live.log" ||
	fail "the start did not say a library is being calibrated: $(grep capturing: "$E2E_TMP/live.log")"
log "ok: the capture started while the slow library was being calibrated"

# A late slow library, while requests go on: none is delayed.
map_slow 2
sent=$E2E_TMP/sent
: >"$sent"
for i in $(seq 40); do
	printf '%s /late-%d\n' "$(date +%s.%N)" "$i" >>"$sent"
	curl -sk --http1.1 --max-time 2 "https://127.0.0.1:$TLS_PORT/late-$i" -o /dev/null ||
		fail "curl /late-$i failed"
	sleep 0.2
done
wait_for_lines "$E2E_TMP/live.out" ' /late-' 40 10 || true
worst=$(awk 'NR == FNR { sent[$2] = $1; next } ($2 in sent) && !($2 in seen) {
		seen[$2] = 1; d = $1 - sent[$2]; if (d > w) w = d; n++ }
	END { printf "%d %d", n, w * 1000 }' "$sent" "$E2E_TMP/live.out")
read -r n worst_ms <<<"$worst"
log "late: $n of 40 requests decrypted, the slowest shown ${worst_ms} ms after it was sent"
[ "$n" -eq 40 ] || fail "only $n of 40 requests were decrypted: $(cat "$E2E_TMP/live.log")"
[ "$worst_ms" -lt 3000 ] || fail "a request showed up ${worst_ms} ms after it was sent: the late calibration delayed it"
log "ok: a late slow library delayed no other connection"

# Both calibrations ended within the time limit and were reported.
wait_for_lines "$E2E_TMP/live.log" "slow2/libssl.so.3.*could not be calibrated" 1 15 ||
	fail "the late slow library was not reported: $(cat "$E2E_TMP/live.log")"
grep -q "slow1/libssl.so.3.*could not be calibrated" "$E2E_TMP/live.log" ||
	fail "the slow library was not reported: $(cat "$E2E_TMP/live.log")"
log "ok: $(grep -m1 'slow1/libssl.so.3.*could not be calibrated' "$E2E_TMP/live.log" | sed 's/^.*ecapturedump: //')"
kill -INT "$TSHARK_PID" 2>/dev/null
for i in $(seq 40); do
	kill -0 "$TSHARK_PID" 2>/dev/null || break
	sleep 0.25
done
kill -0 "$TSHARK_PID" 2>/dev/null && fail "tshark did not stop on SIGINT"
sleep 0.5
left=$(ps -eo pid=,stat=,comm= | awk '$3 == "ecapture-calib" && $2 !~ /^Z/ { print $1 }')
[ -z "$left" ] || fail "calibration helpers left: $left"
assert_clean
log "PASS"
