#!/usr/bin/env bash
# A socket two processes use names neither: a TLS client (Python's ssl, the system OpenSSL)
# handshakes and sends GET /shared/1, forks, and its child reads the answer and sends GET
# /shared/2 on the same connection. The packet of /shared/2 says the owner is ambiguous, with
# both pids; no packet names the child alone; nginx's packets still name nginx.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark nginx openssl awk pgrep
require_installed_extcap
require_installed_plugin
PY=/usr/bin/python3
start_nginx
WORKER=$(pgrep -P "$(cat "$NGINX_PID_FILE")" -x nginx | head -n1)
[ -n "$WORKER" ] || fail "no nginx worker"

gated_client shared "$PY" "$(dirname "$0")/shared_client.py" "$TLS_PORT"
PARENT=$GATED_PID
start_tshark shared -Y "tcp.port == $TLS_PORT" -T fields -E separator=/t -e tcp.srcport \
	-e tcp.dstport -e ecapture.pid -e frame.comment -e http.request.uri
wait_attached shared
open_gate shared
wait "$PARENT" || fail "the client failed: $(cat "$E2E_TMP/shared.client")"
CHILD=$(head -n1 "$E2E_TMP/shared.client")
wait_for_lines "$E2E_TMP/shared.out" '/shared/2' 1 20 || true
sleep 1
stop_tshark
log "parent pid $PARENT, child pid $CHILD, nginx worker $WORKER"

awk -F'\t' -v sp="$TLS_PORT" -v worker="$WORKER" -v parent="$PARENT" -v child="$CHILD" '
{
	n++
	ambiguous = index($4, "owner ambiguous") > 0
	if ($1 == sp) {
		if ($3 != worker) { print "nginx packet not named nginx: " $0 > "/dev/stderr"; bad++ }
		next
	}
	if ($3 == child) { print "a packet names the child alone: " $0 > "/dev/stderr"; bad++ }
	if (ambiguous) {
		amb++
		if ($3 != "" || index($4, "pids " parent " and " child) == 0) {
			print "ambiguous packet without both pids, or with a pid: " $0 > "/dev/stderr"; bad++
		}
	} else if ($3 != parent) {
		print "client packet neither the parent nor ambiguous: " $0 > "/dev/stderr"; bad++
	}
	if ($5 == "/shared/1") { one++; if ($3 != parent) { print "/shared/1 not the parent: " $0 > "/dev/stderr"; bad++ } }
	if ($5 == "/shared/2") { two++; if (!ambiguous) { print "/shared/2 not ambiguous: " $0 > "/dev/stderr"; bad++ } }
}
END {
	printf "%d packets, %d ambiguous, /shared/1 %d, /shared/2 %d, %d wrong\n", n, amb, one, two, bad > "/dev/stderr"
	exit (n == 0 || one != 1 || two != 1 || bad > 0)
}' "$E2E_TMP/shared.out" || fail "the shared socket's packets are not named as they should be"
assert_clean
log "PASS"
