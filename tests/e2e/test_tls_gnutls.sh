#!/usr/bin/env bash
# GnuTLS, end to end: gnutls-cli against nginx on loopback, a connection per request, while tshark
# captures live on ecapture-tls with only GnuTLS traced (nginx's OpenSSL is not: the keys can
# only come from gnutls-cli's sessions, read with the layout the helper calibrated). 10 requests
# over TLS 1.3 and 10 over TLS 1.2: every one decrypted exactly once by stock tshark from the
# DSBs, its packets naming the gnutls-cli process that made it; the plaintext records too.
source "$(dirname "$0")/lib.sh"
require_root
require_tools gnutls-cli tshark nginx openssl bpftool tc python3
require_installed_extcap
require_installed_plugin
start_nginx
N=10

start_tshark live -o extcap.ecapture_tls.tlslibs:gnutls -o extcap.ecapture_tls.mode:both \
	-Y http.request -T fields -E separator=/t -e ecapture.pid -e http.request.uri \
	-e ecapture.conn_id
wait_attached live
grep -q 'tracing GnuTLS .*libgnutls' "$E2E_TMP/live.log" || fail "no GnuTLS library traced"
grep -q 'plaintext only' "$E2E_TMP/live.log" && fail "GnuTLS traced without keys: $(cat "$E2E_TMP/live.log")"

: >"$E2E_TMP/expected"
for v in 1.3 1.2; do
	for i in $(seq $N); do
		uri="/gnutls$v/$i"
		printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$uri" \
			>"$E2E_TMP/req"
		gnutls-cli --insecure --port "$TLS_PORT" --priority "NORMAL:-VERS-ALL:+VERS-TLS$v" \
			127.0.0.1 <"$E2E_TMP/req" >"$E2E_TMP/cli.client" 2>&1 &
		pid=$!
		wait "$pid" || fail "gnutls-cli $uri: $(tail -3 "$E2E_TMP/cli.client")"
		grep -q "path $uri" "$E2E_TMP/cli.client" || fail "gnutls-cli $uri: no answer"
		printf '%s\t%s\n' "$uri" "$pid" >>"$E2E_TMP/expected"
	done
done
wait_for_lines "$E2E_TMP/live.out" "/gnutls1.2/$N[[:space:]]" 2 20 || true
sleep 1
stop_tshark

# Packets (decrypted through the DSBs) have no connection id; plaintext records have one.
awk -F'\t' '$3 == ""' "$E2E_TMP/live.out" >"$E2E_TMP/pkts"
awk -F'\t' '$3 != ""' "$E2E_TMP/live.out" >"$E2E_TMP/recs"
for what in pkts recs; do
	cut -f2 "$E2E_TMP/$what" >"$E2E_TMP/$what.uris"
	assert_each_once "$E2E_TMP/$what.uris" /gnutls1.3/ $N
	assert_each_once "$E2E_TMP/$what.uris" /gnutls1.2/ $N
	wrong=$(awk -F'\t' 'NR == FNR { pid[$1] = $2; next } pid[$2] != $1' \
		"$E2E_TMP/expected" "$E2E_TMP/$what" | head -3)
	[ -z "$wrong" ] || fail "$what with the wrong pid: $wrong"
	log "ok: $what name the gnutls-cli process of each request"
done
assert_clean
log "PASS"
