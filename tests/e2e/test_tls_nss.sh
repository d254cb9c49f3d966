#!/usr/bin/env bash
# NSS, end to end: NSS's tstclnt against nginx on loopback, a connection per request, while
# tshark captures live on ecapture-tls with only NSS traced. NSS gives no keys, so the requests
# come as plaintext records (PR_Write/PR_Read through NSS's SSL layer), shown as HTTP by the
# plugin: 10 over TLS 1.3 and 10 over TLS 1.2, each exactly once, with the pid of the tstclnt
# that made it and the connection's real 5-tuple.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tstclnt certutil tshark nginx openssl bpftool tc python3
require_installed_extcap
require_installed_plugin
start_nginx
N=10
mkdir "$E2E_TMP/nssdb"
certutil -N -d "sql:$E2E_TMP/nssdb" --empty-password || fail "certutil"

start_tshark live -o extcap.ecapture_tls.tlslibs:nss -o extcap.ecapture_tls.mode:plaintext \
	-Y http.request -T fields -E separator=/t -e ecapture.pid -e http.request.uri \
	-e ecapture.source -e exported_pdu.dst_port
wait_attached live
grep -q 'tracing NSPR .*libnspr4' "$E2E_TMP/live.log" || fail "no NSPR library traced"

: >"$E2E_TMP/expected"
for v in 1.3 1.2; do
	for i in $(seq $N); do
		uri="/nss$v/$i"
		printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$uri" >"$E2E_TMP/req"
		tstclnt -h 127.0.0.1 -p "$TLS_PORT" -d "sql:$E2E_TMP/nssdb" -o -V "tls$v:tls$v" \
			<"$E2E_TMP/req" >"$E2E_TMP/cli.client" 2>&1 &
		pid=$!
		wait "$pid" || fail "tstclnt $uri: $(tail -3 "$E2E_TMP/cli.client")"
		grep -q "path $uri" "$E2E_TMP/cli.client" || fail "tstclnt $uri: no answer"
		printf '%s\t%s\n' "$uri" "$pid" >>"$E2E_TMP/expected"
	done
done
wait_for_lines "$E2E_TMP/live.out" "/nss1.2/$N[[:space:]]" 1 20 || true
sleep 1
stop_tshark

cut -f2 "$E2E_TMP/live.out" >"$E2E_TMP/uris"
assert_each_once "$E2E_TMP/uris" /nss1.3/ $N
assert_each_once "$E2E_TMP/uris" /nss1.2/ $N
wrong=$(awk -F'\t' -v port="$TLS_PORT" 'NR == FNR { pid[$1] = $2; next }
	pid[$2] != $1 || $3 != "3" || $4 != port' "$E2E_TMP/expected" "$E2E_TMP/live.out" | head -3)
[ -z "$wrong" ] || fail "records with the wrong pid, source or tuple: $wrong"
log "ok: every request as an NSS record from its tstclnt, to port $TLS_PORT"
assert_clean
log "PASS"
