#!/usr/bin/env bash
# ecapture-tls, end to end: curl (OpenSSL) against nginx (OpenSSL) on loopback while tshark captures
# live on ecapture-tls. Every request must show up decrypted, exactly once, in tshark's
# single-pass output: TLS 1.3 and TLS 1.2 with a connection per request, and many requests on one
# keep-alive connection. Afterwards nothing of ours may be left loaded.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl bpftool tc python3
require_installed_extcap
start_nginx

start_tshark live -Y http.request -T fields -e http.request.uri
wait_capturing live

N=20
URL="https://127.0.0.1:$TLS_PORT"
for i in $(seq $N); do
	curl -sk --http1.1 --tlsv1.3 "$URL/tls13/$i" >/dev/null || fail "curl TLS 1.3 #$i"
done
for i in $(seq $N); do
	curl -sk --http1.1 --tlsv1.2 --tls-max 1.2 "$URL/tls12/$i" >/dev/null || fail "curl TLS 1.2 #$i"
done
# One curl, many URLs on the same host: curl keeps the one connection alive.
urls=()
for i in $(seq $N); do urls+=("$URL/keepalive/$i"); done
curl -sk --http1.1 --tlsv1.3 "${urls[@]}" -o /dev/null -w '%{num_connects}\n' \
	>"$E2E_TMP/connects.log" || fail "curl keep-alive"
connects=$(awk '{ n += $1 } END { print n }' "$E2E_TMP/connects.log")
[ "$connects" -eq 1 ] || fail "curl opened $connects connections instead of one"

wait_for_lines "$E2E_TMP/live.out" '^/keepalive/' $N 30 || log "not all keep-alive requests seen yet"
wait_for_lines "$E2E_TMP/live.out" '^/tls12/' $N 5 || true
stop_tshark

assert_each_once "$E2E_TMP/live.out" /tls13/ $N
assert_each_once "$E2E_TMP/live.out" /tls12/ $N
assert_each_once "$E2E_TMP/live.out" /keepalive/ $N
assert_clean
log "PASS"
