#!/usr/bin/env bash
# Owners from the socket: a gRPC client and server over TLS (Debian's python3-grpcio: gRPC's C
# core on the system OpenSSL through memory BIOs, its socket I/O outside the TLS calls). Every
# packet names the process of the socket that sent it (the client's pid on the packets the
# client sent, the server's on the server's: direction by port), checked per packet through
# ecapture.pid and frame.comment, with (a) only the client traced (PID filter) and (b) both; the
# calls are decrypted in both (HTTP/2 paths and gRPC messages in tshark).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark openssl awk
require_installed_extcap
require_installed_plugin
# Debian's python3 and its grpcio (a python3 earlier in PATH may lack the module).
PY=/usr/bin/python3
"$PY" -c 'import grpc' 2>/dev/null || fail "python3-grpcio is not installed (apt-get install python3-grpcio)"
PAIR=$(dirname "$0")/grpc_pair.py
N=12

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" >/dev/null 2>&1 || fail "no test certificate"
"$PY" "$PAIR" server "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" "$E2E_TMP/port" \
	>"$E2E_TMP/server.err" 2>&1 9>&- &
SERVER=$!
E2E_PIDS+=("$SERVER")
for i in $(seq 100); do
	[ -s "$E2E_TMP/port" ] && break
	kill -0 "$SERVER" 2>/dev/null || fail "the gRPC server exited: $(cat "$E2E_TMP/server.err")"
	sleep 0.1
done
PORT=$(cat "$E2E_TMP/port" 2>/dev/null) || fail "the gRPC server gave no port"
log "gRPC server pid $SERVER on 127.0.0.1:$PORT"

FIELDS=(-Y "tcp.port == $PORT" -T fields -E separator=/t -e tcp.srcport -e tcp.dstport
	-e ecapture.pid -e frame.comment -e http2.headers.path -e grpc.message_length)

# check_packets FILE CLIENT: every packet has a pid, the one of its comment; the server's port
# sends the server's pid, the client's the client's.
check_packets() {
	awk -F'\t' -v sp="$PORT" -v server="$SERVER" -v client="$2" '
	{
		n++
		if ($3 == "") { print "packet without a pid: " $0 > "/dev/stderr"; bad++; next }
		if (match($4, / pid=[0-9]+ /) == 0 || substr($4, RSTART + 5, RLENGTH - 6) != $3) {
			print "comment and ecapture.pid disagree: " $0 > "/dev/stderr"; bad++
		}
		if ($1 == sp) want = server; else if ($2 == sp) want = client; else want = "?"
		if ($3 != want) {
			print "sent by " ($1 == sp ? "the server" : "the client") " (pid " want \
			      ") but named pid " $3 ": " $0 > "/dev/stderr"
			bad++
		}
		if ($1 == sp) from_server++; else from_client++
	}
	END {
		printf "%d packets: %d from the client, %d from the server, %d misnamed\n",
		       n, from_client, from_server, bad > "/dev/stderr"
		exit (n == 0 || from_client == 0 || from_server == 0 || bad > 0)
	}' "$1"
}

# count_calls FILE: the N calls decrypted: N request paths, 2N gRPC messages (request, reply).
count_calls() {
	local paths msgs
	paths=$(cut -f5 "$1" | tr ',' '\n' | grep -cx '/ecapture.Echo/Say' || true)
	msgs=$(cut -f6 "$1" | tr ',' '\n' | grep -c '[0-9]' || true)
	[ "$paths" -eq $N ] || fail "$paths of $N call paths decrypted"
	[ "$msgs" -eq $((2 * N)) ] || fail "$msgs of $((2 * N)) gRPC messages decrypted"
	log "ok: $N calls decrypted ($paths paths, $msgs gRPC messages)"
}

# run NAME FILTER: N calls of a new client, captured with the PID filter on the client (FILTER
# "client") or without one ("none"), checked packet by packet.
run() {
	local name=$1 filter=$2 client opts=()
	gated_client "$name" "$PY" "$PAIR" client "$E2E_TMP/cert.pem" "$PORT" "$N"
	client=$GATED_PID
	[ "$filter" = client ] && opts=(-o "extcap.ecapture_tls.pid:$client")
	start_tshark "$name" "${opts[@]}" "${FIELDS[@]}"
	wait_attached "$name"
	open_gate "$name"
	wait "$client" || fail "the gRPC client failed: $(cat "$E2E_TMP/$name.client")"
	[ "$(grep -c '^reply' "$E2E_TMP/$name.client")" -eq $N ] || fail "the client did not get $N replies"
	wait_for_lines "$E2E_TMP/$name.out" 'ecapture.Echo/Say' $N 20 || true
	sleep 1
	stop_tshark
	log "client pid $client, server pid $SERVER"
	check_packets "$E2E_TMP/$name.out" "$client" || fail "$name: packets not named by their own socket's process"
	count_calls "$E2E_TMP/$name.out"
	assert_clean
}

log "(a) only the client traced (PID filter)"
run client-only client
log "(b) client and server traced"
run both none
log "PASS"
