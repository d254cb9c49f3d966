#!/usr/bin/env bash
# Never silent: a TLS connection no traced library gives keys for (curl on OpenSSL to
# gnutls-serv, with only NSS traced) is named in the log with its endpoints and counted at the
# end; by default its packets are left out, and with "Keep connections without keys" they are
# written undecrypted, commented with why.
source "$(dirname "$0")/lib.sh"
require_root
require_tools gnutls-serv curl openssl tshark bpftool tc python3
require_installed_extcap

start_gnutls_serv
PORT=$GNUTLS_PORT

for keep in false true; do
	start_tshark "keep-$keep" -o extcap.ecapture_tls.tlslibs:nss -o extcap.ecapture_tls.holdms:300 \
		-o "extcap.ecapture_tls.unclaimed:$keep" -Y "tcp.port == $PORT" -T fields -e frame.comment
	wait_attached "keep-$keep"
	curl -sk --http1.1 --max-time 5 "https://127.0.0.1:$PORT/unclaimed" -o /dev/null ||
		fail "curl failed"
	wait_for_lines "$E2E_TMP/keep-$keep.log" "no keys for the TLS connection .*:$PORT" 1 10 ||
		fail "the connection is not named in the log: $(cat "$E2E_TMP/keep-$keep.log")"
	sleep 1
	stop_tshark
	grep -q 'TLS connection(s) without keys from a traced library' "$E2E_TMP/keep-$keep.log" ||
		fail "no count of connections without keys: $(cat "$E2E_TMP/keep-$keep.log")"
	n=$(grep -c 'no traced TLS library gave keys for this connection' "$E2E_TMP/keep-$keep.out" || true)
	if [ "$keep" = true ]; then
		[ "$n" -gt 0 ] || fail "kept, but no packet says why: $(head -5 "$E2E_TMP/keep-$keep.out")"
		log "ok: kept: $n packets commented with why"
	else
		[ -s "$E2E_TMP/keep-$keep.out" ] && fail "left out, but written: $(head -3 "$E2E_TMP/keep-$keep.out")"
		log "ok: left out, named: $(grep -o 'no keys for the TLS connection.*' "$E2E_TMP/keep-$keep.log")"
	fi
	assert_clean
done
log "PASS"
