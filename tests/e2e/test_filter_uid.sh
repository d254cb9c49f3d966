#!/usr/bin/env bash
# Connections the user's own filters leave out are not "unclaimed" (issue 22, 4): a capture with
# --uid of one user (a client making a new connection every 0.2 s) while another user's three
# keep-alive TLS clients run (a request every 0.2 s). The
# first user's requests are decrypted; the other's are left out without a "no traced library
# claimed it" line, and the counts by reason are in the log and in the statistics block comment.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark nginx curl python3 setpriv
[ -x /usr/bin/python3 ] || fail "no /usr/bin/python3 (the clients run as other users)"
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
HERE=$(dirname "$0")
UID_IN=4242 UID_OUT=4243
start_nginx

"$EXTCAP" --netif lo --uid "$UID_IN" --hold-ms 500 --log-level info -w "$E2E_TMP/uid.pcapng" \
	2>"$E2E_TMP/capture.log" 9>&- &
CAP_PID=$!
E2E_PIDS+=("$CAP_PID")
wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 60 || fail "ecapturedump never started capturing"

# The system's python3 (root's own may live where other users cannot reach).
# Run in the background only: exec, so that $! is the client itself and the cleanup stops it.
as_user() { exec setpriv --reuid "$1" --regid "$1" --clear-groups "${@:2}"; }
PY=/usr/bin/python3
as_user "$UID_IN" "$PY" -u "$HERE/https_loop.py" "$TLS_PORT" in 0.2 >"$E2E_TMP/client-in.out" 2>&1 9>&- &
E2E_PIDS+=($!)
# The other user's clients keep their connections open: whose they are is asked of the kernel
# while they are (a connection closed before its ClientHello is looked at has no owner to ask).
for i in 1 2 3; do
	as_user "$UID_OUT" "$PY" -u "$HERE/https_keepalive.py" "$TLS_PORT" "out$i" 0.2 \
		>"$E2E_TMP/client-out$i.out" 2>&1 9>&- &
	E2E_PIDS+=($!)
done
wait_for_lines "$E2E_TMP/client-in.out" '^/in-' 15 60 || fail "client of uid $UID_IN: $(tail -2 "$E2E_TMP/client-in.out")"
for i in 1 2 3; do
	wait_for_lines "$E2E_TMP/client-out$i.out" "^/out$i-" 15 60 ||
		fail "client of uid $UID_OUT: $(tail -2 "$E2E_TMP/client-out$i.out")"
done
kill "${E2E_PIDS[@]:1}" 2>/dev/null || true
kill -INT "$CAP_PID"
wait "$CAP_PID" || fail "ecapturedump exited with status $?"

n_out=$(cat "$E2E_TMP"/client-out*.out | grep -c '^error') || true
n_out=$((n_out + 3)) # connections: one per client, and one more for each reconnection
tshark -r "$E2E_TMP/uid.pcapng" -Y http.request -T fields -e http.request.uri >"$E2E_TMP/uris.out" 2>"$E2E_TMP/tshark.err" ||
	fail "tshark cannot read the capture: $(cat "$E2E_TMP/tshark.err")"
[ "$(grep -c '^/in-' "$E2E_TMP/uris.out")" -gt 0 ] || fail "no request of uid $UID_IN decrypted"
grep -q '^/out' "$E2E_TMP/uris.out" && fail "requests of uid $UID_OUT written: $(grep '^/out' "$E2E_TMP/uris.out" | head -3)"
log "ok: uid $UID_IN decrypted ($(grep -c '^/in-' "$E2E_TMP/uris.out")), none of uid $UID_OUT's $n_out connection(s)"

grep -a 'no traced library claimed it' "$E2E_TMP/capture.log" &&
	fail "connections the filter left out are told as unclaimed"
filtered=$(sed -n 's/.*by reason: filtered out \([0-9]*\).*/\1/p' "$E2E_TMP/capture.log" | tail -1)
[ "${filtered:-0}" -ge "$n_out" ] ||
	fail "the log counts ${filtered:-no} connection(s) filtered out, uid $UID_OUT made $n_out: $(tail -3 "$E2E_TMP/capture.log")"
grep -q 'left out: [0-9]* TLS connection(s) no traced library gave keys' "$E2E_TMP/capture.log" &&
	fail "connections counted as unclaimed: $(tail -2 "$E2E_TMP/capture.log")"
python3 "$HERE/isb_stats.py" "$E2E_TMP/uid.pcapng" >"$E2E_TMP/isb.out" || fail "no statistics: $(cat "$E2E_TMP/isb.out")"
grep -q "^lo.*by reason: filtered out $filtered\b" "$E2E_TMP/isb.out" ||
	fail "the statistics block does not count them: $(cat "$E2E_TMP/isb.out")"
log "ok: no unclaimed line; by reason: $(grep -o 'by reason: [^;]*' "$E2E_TMP/isb.out" | head -1)"
assert_clean
log "PASS"
