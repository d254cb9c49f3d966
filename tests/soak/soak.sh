#!/usr/bin/env bash
# Soak: HTTPS requests at the highest rate the machine sustains (ab, a new TLS connection per
# request, 8 at a time, through nginx on loopback) for SECONDS (default 600) while ecapturedump
# captures to a file. Prints ecapturedump's memory at every tenth of the run (each minute of a
# 10-minute run), then requests sent, decrypted from the file and reported lost. Fails if a
# request is missing and no loss was reported (silent loss). As root:
#   BUILD_DIR=build tests/soak/soak.sh [SECONDS]
# Not part of the default test run (tests/e2e/test_soak_short.sh runs a short one).
SECONDS_TOTAL=${1:-600}
source "$(dirname "$0")/../e2e/lib.sh"
require_root
require_tools tshark ab nginx curl python3
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
E2E=$(cd "$(dirname "$0")/../e2e" && pwd)
start_nginx

"$EXTCAP" --netif lo -w "$E2E_TMP/soak.pcapng" 2>"$E2E_TMP/soak-capture.log" &
EC=$!
E2E_PIDS+=("$EC")
wait_for_lines "$E2E_TMP/soak-capture.log" 'capturing:' 1 30 || fail "ecapturedump never started"

ab -t "$SECONDS_TOTAL" -n 100000000 -c 8 "https://127.0.0.1:$TLS_PORT/soak" \
	>"$E2E_TMP/ab.out" 2>&1 &
AB=$!
E2E_PIDS+=("$AB")
step=$((SECONDS_TOTAL / 10))
[ "$step" -gt 0 ] || step=1
printf '| elapsed s | RSS MB | peak RSS MB |\n|---|---|---|\n'
for i in $(seq 10); do
	sleep "$step"
	kill -0 "$EC" 2>/dev/null || fail "ecapturedump exited: $(tail -3 "$E2E_TMP/soak-capture.log")"
	awk -v t=$((i * step)) '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 }
		END { printf "| %d | %.1f | %.1f |\n", t, r / 1024, h / 1024 }' "/proc/$EC/status"
done
wait "$AB" || fail "ab failed: $(tail -3 "$E2E_TMP/ab.out")"
sleep 1
kill -INT "$EC"
wait "$EC" || fail "ecapturedump exited with status $?"

# What the server answered: ab stops counting at its time limit with requests still in flight.
sent=$(grep -c '"GET /soak ' "$E2E_TMP/nginx-access.log" || true)
decrypted=$(tshark -r "$E2E_TMP/soak.pcapng" -Y 'http.request.uri == "/soak"' 2>/dev/null | wc -l)
python3 "$E2E/isb_stats.py" "$E2E_TMP/soak.pcapng" >"$E2E_TMP/isb.out"
IFS=$'\t' read -r _ recv drop _ comment <"$E2E_TMP/isb.out" || fail "no Interface Statistics Block"
printf '\n| requests answered | decrypted | packets captured | packets reported lost | report |\n'
printf '|---|---|---|---|---|\n| %s | %s | %s | %s | %s |\n' "$sent" "$decrypted" "$recv" "$drop" "$comment"
grep -E 'lost|loss' "$E2E_TMP/soak-capture.log" | tail -3 >&2 || true
if [ "$decrypted" -lt "$sent" ] && [ "$drop" -eq 0 ]; then
	fail "$((sent - decrypted)) requests missing and no loss reported"
fi
[ "$decrypted" -le "$sent" ] || fail "more requests decrypted ($decrypted) than sent ($sent)"
log "soak: $sent sent, $decrypted decrypted, $drop packets reported lost"
