#!/usr/bin/env bash
# ecapture-tls, end to end: a client that never calls a handshake function (CPython's ssl module
# with do_handshake_on_connect=False: the handshake runs inside SSL_write) against nginx. Without
# plaintext the data calls are not probed, so the capture must notice such a process (its socket
# I/O after SSL_set_connect_state, outside any handshake call) and probe its data calls: the log
# says so, and every request, the first connection's included, shows up decrypted exactly once.
# Also openssl s_client, which handshakes inside SSL_write too. TLS 1.3 and 1.2.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark nginx openssl python3 bpftool tc
require_installed_extcap
start_nginx

# A long key wait: the first connection's keys come only once its process is probed.
start_tshark live -o extcap.ecapture_tls.holdms:60000 -Y http.request -T fields -e http.request.uri
wait_capturing live

CLIENT="$(dirname "$0")/implicit_client.py"
for v in 1.3 1.2; do
	prefix="/implicit${v/./}/"
	gate="$E2E_TMP/gate-$v"
	python3 "$CLIENT" "$TLS_PORT" "$prefix" "$v" "$gate" >"$E2E_TMP/client-$v.log" 2>&1 &
	client=$!
	E2E_PIDS+=("$client")
	for _ in $(seq 200); do
		grep -q "pid $client handshakes inside its OpenSSL data calls" "$E2E_TMP/live.log" && break
		kill -0 "$client" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "pid $client handshakes inside its OpenSSL data calls" "$E2E_TMP/live.log" ||
		fail "TLS $v: the capture never said that pid $client handshakes inside its data calls"
	log "ok: TLS $v: pid $client's data calls are probed"
	touch "$gate"
	wait "$client" || fail "TLS $v client: $(cat "$E2E_TMP/client-$v.log")"
done

for i in 1 2 3; do
	printf 'GET /s_client/%d HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$i" |
		timeout 20 openssl s_client -connect "127.0.0.1:$TLS_PORT" -quiet -ign_eof \
			>"$E2E_TMP/s_client-$i.log" 2>&1 || fail "openssl s_client #$i"
done

wait_for_lines "$E2E_TMP/live.out" '^/s_client/' 3 30 || log "not all s_client requests seen yet"
stop_tshark
assert_each_once "$E2E_TMP/live.out" /implicit13/ 3
assert_each_once "$E2E_TMP/live.out" /implicit12/ 3
assert_each_once "$E2E_TMP/live.out" /s_client/ 3
assert_clean
log "PASS"
