#!/usr/bin/env bash
# Plaintext records lost are said where they were lost. ecapturedump prints plaintext as text
# with a small ring buffer (a test setting) and is stopped (SIGSTOP) while ab makes HTTPS
# requests, so the kernel loses records; the next record written after the loss is seen says
# "--- N record(s) lost here" (in pcapng the same count is the record's epb_dropcount, which
# reaches a file Wireshark saves). Checked: the counts in the output add up to exactly the
# records the log says the kernel lost, and records were written before and after.
source "$(dirname "$0")/lib.sh"
require_root
require_tools ab nginx curl
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
start_nginx

ECAPTURE_TEST_RINGBUF_KIB=256 "$EXTCAP" --tls-libs openssl >"$E2E_TMP/out.txt" \
	2>"$E2E_TMP/capture.log" &
CLI_PID=$!
E2E_PIDS+=("$CLI_PID")
wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 30 || fail "ecapturedump never started capturing"
grep -q 'test setting: a ring buffer of 256 KiB' "$E2E_TMP/capture.log" || fail "the test ring buffer size was not taken"

ab_requests 10 before
sleep 1
kill -STOP "$CLI_PID"
ab_requests 600 during # far more than 256 KiB of records: the ring fills, the kernel drops
kill -CONT "$CLI_PID"
sleep 2 # the counters are read once a second: the next records carry the loss
ab_requests 10 after
sleep 1
kill -INT "$CLI_PID"
wait "$CLI_PID" || fail "ecapturedump exited with status $?"
grep -E 'kernel losses' "$E2E_TMP/capture.log" >&2 || true

losses=$(grep -o 'kernel losses: .*' "$E2E_TMP/capture.log" | tail -1)
chunks=$(sed -n 's/.* \([0-9]*\) plaintext chunks (ring buffer full).*/\1/p' <<<"$losses")
forgotten=$(sed -n 's/.* \([0-9]*\) plaintext of calls forgotten.*/\1/p' <<<"$losses")
lost=$((${chunks:-0} + ${forgotten:-0}))
told=$(sed -n 's/^--- \([0-9]*\) record(s) lost here$/\1/p' "$E2E_TMP/out.txt" | awk '{ s += $1 } END { print s + 0 }')
places=$(grep -c '^--- [0-9]* record(s) lost here$' "$E2E_TMP/out.txt" || true)
before=$(grep -c '^GET /before ' "$E2E_TMP/out.txt" || true)
after=$(grep -c '^GET /after ' "$E2E_TMP/out.txt" || true)
log "records: $lost lost in the kernel, $told told in the output ($places places); GET /before $before, /after $after"

[ "$lost" -gt 0 ] || fail "no record was lost: the test proves nothing"
[ "$told" -eq "$lost" ] || fail "the output tells $told records lost, the log $lost"
[ "$before" -gt 0 ] && [ "$after" -gt 0 ] || fail "records before or after the loss are missing"
log "ok: every lost record told where it was lost"
assert_clean
