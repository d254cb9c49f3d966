#!/usr/bin/env bash
# SMTP STARTTLS in packets mode: openssl s_client -starttls smtp (the only process traced: PID
# filter) against a small SMTP server (Python's ssl module, not traced). The connection starts in
# plaintext (greeting, EHLO, STARTTLS), then TLS: the capture must keep it until its ClientHello
# and write it whole behind its keys, so that Wireshark's smtp dissector follows STARTTLS and
# decrypts what comes after it: the server's replies to the commands sent inside TLS (354 to
# DATA, "OK queued", 221 to QUIT: none of them is sent in plaintext) appear in
# smtp.response.code and smtp.rsp.parameter, out of TLS records, and every packet of the
# connection is named after the client's pid.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark openssl python3
require_installed_extcap
require_installed_plugin
HERE=$(cd "$(dirname "$0")" && pwd)
make_test_cert
PORT=$(free_port)

log "a STARTTLS SMTP server on 127.0.0.1:$PORT"
python3 "$HERE/smtp_starttls_server.py" "$PORT" "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" \
	"$E2E_TMP/smtp.ready" >"$E2E_TMP/server.out" 2>"$E2E_TMP/server.log" &
E2E_PIDS+=("$!")
for i in $(seq 100); do
	[ -e "$E2E_TMP/smtp.ready" ] && break
	sleep 0.1
done
[ -e "$E2E_TMP/smtp.ready" ] || fail "the SMTP server did not start: $(cat "$E2E_TMP/server.log")"

# What the client sends once TLS is up; s_client does the EHLO and STARTTLS before it.
printf '%s\r\n' "EHLO inside.example" "MAIL FROM:<sender-in-tls@example.org>" \
	"RCPT TO:<rcpt-in-tls@example.org>" DATA "Subject: decrypted" "" "body-in-tls" . QUIT \
	>"$E2E_TMP/smtp.in"
# (A background job's stdin is /dev/null: the client opens the file itself, in the same process.)
gated_client smtp sh -c 'exec openssl s_client -starttls smtp -connect "127.0.0.1:$1" -quiet <"$0"' \
	"$E2E_TMP/smtp.in" "$PORT"
PID=$GATED_PID

log "openssl s_client -starttls smtp (pid $PID, the only one traced)"
# A long key wait: s_client handshakes inside its data calls, whose probes come with the first
# connection (test_tls_implicit.sh).
start_tshark smtp -o "extcap.ecapture_tls.pid:$PID" -o extcap.ecapture_tls.holdms:60000 \
	-d "tcp.port==$PORT,smtp" -T fields -E separator=/t -e ecapture.pid -e tls.app_data \
	-e smtp.response.code -e smtp.rsp.parameter -e tcp.dstport -Y "tcp.port == $PORT"
wait_attached smtp
open_gate smtp
# The server closes without a close_notify: s_client's status says so, the dialogue is what counts.
wait "$PID" || true
grep -q '^221 Bye' "$E2E_TMP/smtp.client" || fail "the SMTP session did not end: $(cat "$E2E_TMP/smtp.client")"
grep -qx 'body-in-tls' "$E2E_TMP/server.out" || fail "the server got no mail body: $(cat "$E2E_TMP/server.out")"
wait_for_lines "$E2E_TMP/smtp.out" 'Bye' 1 20 || log "the 221 reply not seen yet"
stop_tshark

# A packet names its socket's process: the client's packets its pid, the server's (untraced)
# never the client's.
total=$(wc -l <"$E2E_TMP/smtp.out")
[ "$total" -gt 0 ] || fail "no packet of the connection was written"
wrong=$(awk -F'\t' -v p="$PID" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/smtp.out" | wc -l)
sent=$(awk -F'\t' -v port="$PORT" '$NF == port' "$E2E_TMP/smtp.out" | wc -l)
[ "$sent" -gt 0 ] || fail "no packet sent by s_client was written"
[ "$wrong" -eq 0 ] || fail "$wrong of $total packets misnamed (s_client is $PID): $(awk -F'\t' -v p="$PID" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/smtp.out" | head -3)"
log "ok: all $sent packets s_client sent carry its pid $PID, none of the server's"
# The replies inside TLS, decrypted: only TLS records (tls.app_data) can carry them.
awk -F'\t' '$2 != "" { n = split($3, c, ","); split($4, p, ","); for (i = 1; i <= n; i++) print c[i] "\t" p[i] }' \
	"$E2E_TMP/smtp.out" >"$E2E_TMP/replies.txt"
for want in "354	End data with <CR><LF>.<CR><LF>" "250	OK queued" "221	Bye"; do
	n=$(grep -cxF -- "$want" "$E2E_TMP/replies.txt" || true)
	[ "$n" -eq 1 ] || fail "reply '${want/	/ }' decrypted $n times (want 1): $(cat "$E2E_TMP/replies.txt")"
done
log "ok: the replies to DATA, the message and QUIT, sent inside TLS, decrypted once each"
assert_clean
log "PASS"
