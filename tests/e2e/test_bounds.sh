#!/usr/bin/env bash
# Memory and output bounded by bytes: a client whose command line is about 100 KiB makes 2000
# HTTPS handshakes (one process, a new connection each) while a capture writes packets with its
# process in every comment. The command line is kept once, cut at 4096 bytes with its marker:
# the capture's peak memory (VmHWM) stays within ARCHITECTURE.md's Limits, every comment within
# 4096 bytes and its fixed part, and the output per packet small.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark timeout
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
HANDSHAKES=${HANDSHAKES:-2000}
HWM_MAX_KIB=$((220 * 1024))  # ARCHITECTURE.md's Limits: the capture as a whole
GROWTH_MAX_KIB=$((32 * 1024)) # 2000 connections of one process: far from any table's bound
COMMENT_MAX=$((4096 + 200))   # the command line's bound, and comm, pid, tid, uid, fd
PER_PACKET_MAX=$((8 * 1024))  # output bytes per packet, on average
start_nginx

cat >"$E2E_TMP/many.py" <<'PY'
import http.client, ssl, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ok = 0
for i in range(n):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
    c.request("GET", "/b%d" % i, headers={"Connection": "close"})
    if c.getresponse().read():
        ok += 1
    c.close()
print(ok)
PY
PAD=$(head -c $((100 * 1024)) /dev/zero | tr '\0' 'A')

"$EXTCAP" -w "$E2E_TMP/bounds.pcapng" 2>"$E2E_TMP/capture.err" 9>&- &
CAP=$!
E2E_PIDS+=("$CAP")
for i in $(seq 150); do
	grep -q 'capturing:' "$E2E_TMP/capture.err" && break
	kill -0 "$CAP" 2>/dev/null || fail "the capture exited: $(cat "$E2E_TMP/capture.err")"
	sleep 0.1
done
grep -q 'capturing:' "$E2E_TMP/capture.err" || fail "the capture never started"
grep VmHWM "/proc/$CAP/status" >"$E2E_TMP/hwm-start.out"

log "$HANDSHAKES handshakes from a client with a $(( ${#PAD} / 1024 )) KiB command line"
start=$(date +%s)
ok=$(timeout 120 /usr/bin/python3 "$E2E_TMP/many.py" "$TLS_PORT" "$HANDSHAKES" "$PAD" 9>&-) ||
	fail "the client failed"
[ "$ok" -eq "$HANDSHAKES" ] || fail "only $ok of $HANDSHAKES requests answered"
log "done in $(( $(date +%s) - start )) s"
sleep 4 # the last held connections are written (hold time 3 s)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$CAP/status")
kill -TERM "$CAP"
wait "$CAP" || fail "the capture failed: $(cat "$E2E_TMP/capture.err")"
log "capture peak memory: $hwm KiB (at start: $(awk '{ print $2 }' "$E2E_TMP/hwm-start.out") KiB)"
[ "$hwm" -le "$HWM_MAX_KIB" ] || fail "the capture's peak memory $hwm KiB is over $HWM_MAX_KIB KiB"
[ $((hwm - $(awk '{ print $2 }' "$E2E_TMP/hwm-start.out"))) -le "$GROWTH_MAX_KIB" ] ||
	fail "the capture's peak memory grew by more than $GROWTH_MAX_KIB KiB"

size=$(stat -c %s "$E2E_TMP/bounds.pcapng")
tshark -r "$E2E_TMP/bounds.pcapng" -Y 'frame.comment contains "many.py"' -T fields \
	-e frame.comment >"$E2E_TMP/comments.out" 2>/dev/null || fail "tshark cannot read the capture"
packets=$(tshark -r "$E2E_TMP/bounds.pcapng" -Y 'tcp' 2>/dev/null | wc -l)
commented=$(wc -l <"$E2E_TMP/comments.out")
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$E2E_TMP/comments.out")
requests=$(tshark -r "$E2E_TMP/bounds.pcapng" -Y 'http.request' 2>/dev/null | wc -l)
log "$size bytes, $packets packets ($commented naming the client), longest comment $longest bytes, $requests requests decrypted"
[ "$commented" -ge "$HANDSHAKES" ] || fail "only $commented packets name the client"
[ "$longest" -le "$COMMENT_MAX" ] || fail "a comment of $longest bytes (over $COMMENT_MAX)"
grep -q '\[truncated\]"$' "$E2E_TMP/comments.out" || fail "no comment ends with the truncation marker"
[ $((size / packets)) -le "$PER_PACKET_MAX" ] ||
	fail "$((size / packets)) bytes written per packet (over $PER_PACKET_MAX)"
[ "$requests" -ge $((HANDSHAKES * 99 / 100)) ] || fail "only $requests of $HANDSHAKES requests decrypted"
log "PASS"
