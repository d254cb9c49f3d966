#!/usr/bin/env bash
# OpenSSL through a BIO_f_ssl BIO: `openssl s_server -www` reads and writes through OpenSSL's
# internal functions and never calls SSL_read/SSL_write/SSL_do_handshake. With the PID filter on
# the server (curl's own OpenSSL is not traced, so the keys can only come from the server's
# sessions), 5 requests over TLS 1.3 and 5 over TLS 1.2 are each decrypted exactly once by stock
# tshark, each request's packet naming the curl process that sent it (a packet names the process
# of its socket, traced or not).
source "$(dirname "$0")/lib.sh"
require_root
require_tools openssl curl tshark bpftool tc python3
require_installed_extcap
require_installed_plugin
N=5

make_test_cert
PORT=$(free_port)
openssl s_server -www -quiet -accept "127.0.0.1:$PORT" -cert "$E2E_TMP/cert.pem" \
	-key "$E2E_TMP/key.pem" >"$E2E_TMP/server.err" 2>&1 &
SERVER=$!
E2E_PIDS+=("$SERVER")
wait_https "$PORT"

start_tshark live -o "extcap.ecapture_tls.pid:$SERVER" -o extcap.ecapture_tls.tlslibs:openssl \
	-Y http.request -T fields -E separator=/t -e ecapture.pid -e http.request.uri
wait_attached live
for v in 1.3 1.2; do
	for i in $(seq $N); do
		curl -sk --http1.1 --tlsv$v --tls-max $v --max-time 5 \
			"https://127.0.0.1:$PORT/bio$v/$i" -o "$E2E_TMP/page" &
		printf '%s\t%s\n' "$!" "/bio$v/$i" >>"$E2E_TMP/senders"
		wait $! || fail "curl /bio$v/$i failed"
		grep -q "s_server" "$E2E_TMP/page" || fail "s_server's status page missing for /bio$v/$i"
	done
done
wait_for_lines "$E2E_TMP/live.out" "/bio1.2/$N\$" 1 20 || true
sleep 1
stop_tshark

cut -f2 "$E2E_TMP/live.out" >"$E2E_TMP/uris"
assert_each_once "$E2E_TMP/uris" /bio1.3/ $N
assert_each_once "$E2E_TMP/uris" /bio1.2/ $N
wrong=$(sort "$E2E_TMP/live.out" | comm -23 - <(sort "$E2E_TMP/senders") | head -3)
[ -z "$wrong" ] || fail "requests not named after the curl that sent them: $wrong"
log "ok: every request decrypted once, named after the curl that sent it"
assert_clean
log "PASS"
