#!/usr/bin/env bash
# Programs with TLS built in that are not supported yet (issue 22, 4): node links OpenSSL into its
# executable and exports its SSL_* symbols, so no libssl of it is probed. A running node process
# is listed by --list-targets as skipped, with the reason; a capture says so at its start; node's
# HTTPS connection (to gnutls-serv, whose GnuTLS is not traced, so no server keys claim it) is
# named in the log with "node", its pid and the reason, and counted by reason in the end report
# and the statistics block.
source "$(dirname "$0")/lib.sh"
require_root
require_tools readelf gcc gnutls-serv curl tshark python3
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
HERE=$(dirname "$0")
# node's own build (nodejs.org's, not Debian's, which uses the system's libssl) when installed;
# else (or with E2E_TLS_STATIC=built) the same shape built here: OpenSSL from libssl.a inside
# the executable, SSL_* exported.
NODE=$(readlink -f "$(command -v node 2>/dev/null)" 2>/dev/null || true)
if [ "${E2E_TLS_STATIC:-}" != built ] && [ -n "$NODE" ] && readelf --dyn-syms -W "$NODE" 2>/dev/null | grep -q ' SSL_write$'; then
	PROG=node
	RUN=(node "$HERE/node_https.js")
	log "node with OpenSSL inside: $NODE"
else
	PROG=tlsstatic
	NODE=$E2E_TMP/$PROG
	gcc -O1 -rdynamic -o "$NODE" "$HERE/static_tls_client.c" -Wl,-Bstatic -lssl -lcrypto \
		-Wl,-Bdynamic -ldl -lpthread || fail "cannot build static_tls_client.c (apt-get install libssl-dev)"
	RUN=("$NODE")
	log "no node with OpenSSL inside here: $NODE, built with libssl.a, exports SSL_*"
fi
readelf --dyn-syms -W "$NODE" >"$E2E_TMP/node.syms" || fail "readelf cannot read $NODE"
grep -q ' SSL_write$' "$E2E_TMP/node.syms" || fail "$NODE does not export SSL_write"
start_gnutls_serv

"${RUN[@]}" "$GNUTLS_PORT" /node-1 >"$E2E_TMP/node.out" 2>&1 9>&- &
NODE_PID=$!
E2E_PIDS+=("$NODE_PID")
wait_for_lines "$E2E_TMP/node.out" '^ready' 1 30 || fail "node did not start: $(cat "$E2E_TMP/node.out")"

timeout 120 "$EXTCAP" --list-targets --tls-libs openssl >"$E2E_TMP/list.out" 2>"$E2E_TMP/list.err" ||
	fail "--list-targets failed: $(cat "$E2E_TMP/list.err")"
grep -A4 "^skipped  OpenSSL $NODE\$" "$E2E_TMP/list.out" >"$E2E_TMP/node-row.out" ||
	fail "node is not listed as skipped: $(cat "$E2E_TMP/list.out")"
grep -q 'reason .*OpenSSL linked statically into this program' "$E2E_TMP/node-row.out" ||
	fail "no reason for node: $(cat "$E2E_TMP/node-row.out")"
log "ok: --list-targets: $(tr -s ' \n' ' ' <"$E2E_TMP/node-row.out")"

"$EXTCAP" --netif lo --tls-libs openssl --hold-ms 500 --log-level info -w "$E2E_TMP/node.pcapng" \
	2>"$E2E_TMP/capture.log" 9>&- &
CAP_PID=$!
E2E_PIDS+=("$CAP_PID")
wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 60 || fail "ecapturedump never started capturing"
grep -q "not tracing $NODE: OpenSSL linked statically" "$E2E_TMP/capture.log" ||
	fail "the capture does not say why node is not traced: $(cat "$E2E_TMP/capture.log")"
kill -USR1 "$NODE_PID"
wait_for_lines "$E2E_TMP/node.out" '^/node-1' 1 30 || fail "node's request failed: $(cat "$E2E_TMP/node.out")"
# The connection stays open: its hold ends at the latest when the capture stops.
kill -INT "$CAP_PID"
wait "$CAP_PID" || fail "ecapturedump exited with status $?"
grep -q "$PROG\[$NODE_PID\]: no keys for the TLS connection .*:$GNUTLS_PORT\\b.*: library not supported" "$E2E_TMP/capture.log" ||
	fail "node's connection is not named with its process and reason: $(grep -a 'no keys' "$E2E_TMP/capture.log")"
log "ok: $(grep -o "$PROG\[$NODE_PID\]: no keys.*" "$E2E_TMP/capture.log")"
grep -q 'by reason: .*library not supported 1\b' "$E2E_TMP/capture.log" ||
	fail "not counted by reason: $(tail -2 "$E2E_TMP/capture.log")"
python3 "$HERE/isb_stats.py" "$E2E_TMP/node.pcapng" >"$E2E_TMP/isb.out" || fail "no statistics: $(cat "$E2E_TMP/isb.out")"
grep -q '^lo.*library not supported 1\b' "$E2E_TMP/isb.out" ||
	fail "the statistics block does not count it: $(cat "$E2E_TMP/isb.out")"
log "ok: counted: $(grep -o 'by reason: [^;]*' "$E2E_TMP/isb.out" | head -1)"
assert_clean
log "PASS"
