#!/usr/bin/env bash
# Redis over TLS: redis-cli --tls against a local redis-server with a TLS port, only the client
# traced (the server's keys untraced). In packets mode the connection is decrypted (Wireshark 4.0
# cannot hand TLS to RESP, even by "Decode As": its decrypted bytes are data); in plaintext mode
# the plugin hands the records to Wireshark's RESP dissector, found by the client's first
# command (no port given). Each of the 10 commands once, named after redis-cli's pid.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark redis-server redis-cli openssl python3
require_installed_extcap
require_installed_plugin
chmod 755 "$E2E_TMP"
mkdir -p "$E2E_TMP/redis"
make_test_cert
cp "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" "$E2E_TMP/redis/"
chown -R redis: "$E2E_TMP/redis" 2>/dev/null || true
PORT=$(free_port)

log "starting redis-server with a TLS port 127.0.0.1:$PORT"
redis-server --port 0 --tls-port "$PORT" --bind 127.0.0.1 --tls-cert-file "$E2E_TMP/redis/cert.pem" \
	--tls-key-file "$E2E_TMP/redis/key.pem" --tls-auth-clients no --save '' --appendonly no \
	--dir "$E2E_TMP/redis" --daemonize no >"$E2E_TMP/redis.log" 2>&1 9>&- &
SERVER=$!
E2E_PIDS+=("$SERVER")
CLI=(redis-cli --tls --insecure -h 127.0.0.1 -p "$PORT")
for i in $(seq 100); do
	[ "$("${CLI[@]}" PING 2>/dev/null)" = PONG ] && break
	kill -0 "$SERVER" 2>/dev/null || fail "redis-server exited: $(tail -5 "$E2E_TMP/redis.log")"
	[ "$i" -lt 100 ] || fail "redis-server does not answer over TLS: $(tail -5 "$E2E_TMP/redis.log")"
	sleep 0.2
done

N=10
for i in $(seq $N); do echo "ECHO redis-tls-$i"; done >"$E2E_TMP/commands"
# One connection for all commands: redis-cli reads them from its standard input (exec: the gated pid).
gated() { gated_client "$1" sh -c 'exec "$@" <"$0"' "$E2E_TMP/commands" "${CLI[@]}"; }

# "pid<TAB>hex,hex..." (tshark prints bytes fields in hex, comma-separated): each redis-tls-N in
# the bytes, as "pid redis-tls-N".
strings_of() {
	python3 -c '
import re, sys
for line in sys.stdin:
    pid, _, vals = line.rstrip("\n").partition("\t")
    for v in filter(None, vals.split(",")):
        for m in re.findall(rb"redis-tls-[0-9]+", bytes.fromhex(v)):
            print(pid, m.decode())' <"$1"
}

# check NAME PID: each command's argument exactly once in the client's sent records/packets, all
# with PID.
check() {
	local name=$1 pid=$2 wrong
	strings_of "$E2E_TMP/$name.out" >"$E2E_TMP/$name.strings"
	wrong=$(awk -v p="$pid" '$1 != p' "$E2E_TMP/$name.strings" | wc -l)
	[ "$wrong" -eq 0 ] || fail "$wrong values not named after redis-cli ($pid): $(head -3 "$E2E_TMP/$name.strings")"
	awk '{print $2}' "$E2E_TMP/$name.strings" | grep '^redis-tls-' >"$E2E_TMP/$name.values" || true
	assert_each_once "$E2E_TMP/$name.values" redis-tls- $N
}

gated cli
CLIENT=$GATED_PID
log "$N commands through redis-cli (pid $CLIENT, the only one traced), packets mode"
start_tshark pk -o "extcap.ecapture_tls.pid:$CLIENT" \
	-Y "tcp.dstport == $PORT && data.data" -T fields -E separator=/t -e ecapture.pid -e data.data
wait_attached pk
open_gate cli
wait "$CLIENT" || fail "redis-cli failed: $(cat "$E2E_TMP/cli.client")"
[ "$(grep -c '^redis-tls-' "$E2E_TMP/cli.client")" -eq $N ] ||
	fail "redis-cli did not get its $N answers: $(cat "$E2E_TMP/cli.client")"
LAST_HEX=$(printf 'redis-tls-%d' $N | od -An -tx1 | tr -d ' \n')
wait_for_lines "$E2E_TMP/pk.out" "$LAST_HEX" 1 20 || log "the last command not seen yet"
stop_tshark
check pk "$CLIENT"

gated cli2
log "the $N commands again as plaintext records (pid $GATED_PID)"
capture_plaintext cli2 "$GATED_PID" "ecapture.direction == 0 && resp.bulk_string.value" \
	resp.bulk_string.value "$LAST_HEX"
check cli2 "$GATED_PID"
assert_clean
log "PASS"
