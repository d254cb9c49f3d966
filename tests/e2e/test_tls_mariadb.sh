#!/usr/bin/env bash
# MariaDB over TLS in packets mode: the mariadb client with --ssl against a local mariadbd with a
# certificate. The connection starts in plaintext (the server's greeting, the client's SSL
# request), then TLS: the capture must keep it until its ClientHello and write it whole behind
# its keys, so that Wireshark's own mysql dissector follows the switch to TLS and decrypts it.
# Only the client is traced (PID filter): its 10 queries each appear exactly once in mysql.query,
# every packet of the connection named after the client's pid. Then in plaintext mode, client and
# server traced: the records of both go to the same mysql dissector.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark mariadbd mariadb mariadb-install-db mariadb-admin openssl
require_installed_extcap
require_installed_plugin
chmod 755 "$E2E_TMP"
mkdir -p "$E2E_TMP/mariadb"
make_test_cert
cp "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" "$E2E_TMP/mariadb/"
chmod 600 "$E2E_TMP/mariadb/key.pem"
start_mariadb --ssl-cert="$E2E_TMP/mariadb/cert.pem" --ssl-key="$E2E_TMP/mariadb/key.pem"
CLIENT=(mariadb --no-defaults -h 127.0.0.1 -P "$PORT" -u root --ssl --skip-ssl-verify-server-cert -N -B)
"${CLIENT[@]}" -e "SHOW SESSION STATUS LIKE 'Ssl_version'" >"$E2E_TMP/ssl.out" 2>&1 ||
	fail "mariadb --ssl failed: $(cat "$E2E_TMP/ssl.out")"
grep -q 'TLSv1' "$E2E_TMP/ssl.out" || fail "the session is not TLS: $(cat "$E2E_TMP/ssl.out")"

N=10
SQL=
for i in $(seq $N); do SQL+="SELECT 'my-tls-$i' AS q; "; done
gated_client mariadb "${CLIENT[@]}" -e "$SQL"
PID=$GATED_PID

log "$N queries through mariadb --ssl (pid $PID, the only one traced)"
start_tshark my -o "extcap.ecapture_tls.pid:$PID" -d "tcp.port==$PORT,mysql" \
	-T fields -E separator=/t -e ecapture.pid -e mysql.query -e tcp.dstport -Y "tcp.port == $PORT"
wait_attached my
open_gate mariadb
wait "$PID" || fail "mariadb failed: $(cat "$E2E_TMP/mariadb.client")"
[ "$(grep -c '^my-tls-' "$E2E_TMP/mariadb.client")" -eq $N ] ||
	fail "mariadb did not get its $N answers: $(cat "$E2E_TMP/mariadb.client")"
wait_for_lines "$E2E_TMP/my.out" "my-tls-$N'" 1 20 || log "the last query not seen yet"
stop_tshark

# A packet names its socket's process: the client's packets its pid, the server's (untraced)
# never the client's.
total=$(wc -l <"$E2E_TMP/my.out")
[ "$total" -gt 0 ] || fail "no packet of the connection was written"
wrong=$(awk -F'\t' -v p="$PID" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/my.out" | wc -l)
sent=$(awk -F'\t' -v port="$PORT" '$NF == port' "$E2E_TMP/my.out" | wc -l)
[ "$sent" -gt 0 ] || fail "no packet sent by the client was written"
[ "$wrong" -eq 0 ] || fail "$wrong of $total packets misnamed (the client is $PID): $(awk -F'\t' -v p="$PID" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/my.out" | head -3)"
log "ok: all $sent packets the client sent carry its pid $PID, none of the server's"
cut -f2 "$E2E_TMP/my.out" | sed -n "s/^SELECT '\(my-tls-[0-9]*\)' AS q\$/\1/p" >"$E2E_TMP/queries.txt"
assert_each_once "$E2E_TMP/queries.txt" my-tls- $N

# The same queries as plaintext records of both ends, the client and mariadbd: the plugin hands
# them to Wireshark's mysql dissector by the port "Decode As" gives it, the server's (mariadbd
# reads each packet's header and body apart: reassembled). Each query once per end.
gated_client mariadb2 "${CLIENT[@]}" -e "$SQL"
log "the $N queries again as plaintext records (client $GATED_PID, server $SERVER)"
capture_plaintext mariadb2 "$GATED_PID,$SERVER" mysql.query mysql.query "my-tls-$N'" -d "tcp.port==$PORT,mysql"
for who in "$GATED_PID" "$SERVER"; do
	awk -F'\t' -v p="$who" '$1 == p' "$E2E_TMP/mariadb2.out" | cut -f2 |
		sed -n "s/^SELECT '\(my-tls-[0-9]*\)' AS q\$/\1/p" >"$E2E_TMP/queries-$who.txt"
	assert_each_once "$E2E_TMP/queries-$who.txt" my-tls- $N
done
assert_clean
log "PASS"
