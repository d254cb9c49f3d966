#!/usr/bin/env bash
# --keylog on a full file system: the key log lines that could not be written are lost, and the
# capture says so: the failure is logged with its reason, once, and the summary counts the lines
# (never "no loss").
source "$(dirname "$0")/lib.sh"
require_root
require_tools curl mount umount bpftool tc
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
start_nginx

FULL=$E2E_TMP/full
mkdir "$FULL"
mount -t tmpfs -o size=16k tmpfs "$FULL" || fail "cannot mount a small tmpfs"
E2E_ATEXIT+=("umount $FULL")
dd if=/dev/zero of="$FULL/fill" bs=4k 2>/dev/null || true
[ "$(df --output=avail "$FULL" | tail -1)" -eq 0 ] || fail "the tmpfs is not full"

"$EXTCAP" --tls-libs openssl --keylog "$FULL/keys.log" 2>"$E2E_TMP/keylog.err" &
CLI_PID=$!
E2E_PIDS+=("$CLI_PID")
for i in $(seq 100); do
	grep -q 'capturing:' "$E2E_TMP/keylog.err" && break
	kill -0 "$CLI_PID" 2>/dev/null || fail "exited early: $(cat "$E2E_TMP/keylog.err")"
	sleep 0.1
done
grep -q 'capturing:' "$E2E_TMP/keylog.err" || fail "never started capturing"
for i in $(seq 5); do
	curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/full/$i" -o /dev/null || fail "curl /full/$i"
done
sleep 1
kill -TERM "$CLI_PID"
for i in $(seq 100); do kill -0 "$CLI_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$CLI_PID" 2>/dev/null && fail "the capture did not stop"
n=$(grep -c 'key log file: No space left on device' "$E2E_TMP/keylog.err" || true)
[ "$n" -eq 1 ] || fail "the full disk was said $n times, expected once: $(cat "$E2E_TMP/keylog.err")"
grep -q 'no loss' "$E2E_TMP/keylog.err" && fail "the summary says no loss: $(tail -3 "$E2E_TMP/keylog.err")"
lost=$(grep -o '[0-9]* key log line(s) not written' "$E2E_TMP/keylog.err" | tail -1 | cut -d' ' -f1)
# 5 sessions: at least a line each.
[ -n "$lost" ] && [ "$lost" -ge 5 ] ||
	fail "the summary does not count the lost key log lines (${lost:-none}): $(tail -3 "$E2E_TMP/keylog.err")"
log "ok: $lost key log lines counted as lost on a full file system"
assert_clean
log "PASS"
