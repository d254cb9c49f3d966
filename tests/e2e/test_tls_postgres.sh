#!/usr/bin/env bash
# PostgreSQL over TLS in packets mode: psql with sslmode=require against a local cluster with
# ssl=on. The connection starts in plaintext (SSLRequest, 'S'), then TLS: the capture must keep
# it until its ClientHello and write it whole behind its keys, so that Wireshark's own pgsql
# dissector follows the switch to TLS and decrypts it. Only psql is traced (PID filter): its 10
# queries each appear exactly once in pgsql.query, every packet of the connection named after
# psql's pid. Then in plaintext mode: the records go to the same pgsql dissector.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark psql setpriv openssl
require_installed_extcap
require_installed_plugin
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/initdb" ] || fail "PostgreSQL server not installed"
chmod 755 "$E2E_TMP"
PG=$E2E_TMP/pg
mkdir -p "$PG/sock"
make_test_cert
cp "$E2E_TMP/cert.pem" "$E2E_TMP/key.pem" "$PG/"
chmod 600 "$PG/key.pem"
chown -R postgres: "$PG"
PORT=$(free_port)
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

log "starting PostgreSQL with ssl=on on 127.0.0.1:$PORT"
as_postgres "$PGBIN/initdb" -D "$PG/data" -A trust -U postgres >"$E2E_TMP/initdb.log" 2>&1 ||
	fail "initdb failed: $(tail -3 "$E2E_TMP/initdb.log")"
as_postgres "$PGBIN/postgres" -D "$PG/data" -c listen_addresses=127.0.0.1 -p "$PORT" \
	-k "$PG/sock" -c shared_buffers=16MB -c ssl=on -c "ssl_cert_file=$PG/cert.pem" \
	-c "ssl_key_file=$PG/key.pem" >"$E2E_TMP/postgres.log" 2>&1 &
SERVER=$!
E2E_PIDS+=("$SERVER")
for i in $(seq 100); do
	"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
	kill -0 "$SERVER" 2>/dev/null || fail "postgres exited: $(tail -5 "$E2E_TMP/postgres.log")"
	sleep 0.2
done
CONN="sslmode=require host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
psql -X -At "$CONN" -c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" \
	>"$E2E_TMP/ssl.out" 2>&1 || fail "psql with sslmode=require failed: $(cat "$E2E_TMP/ssl.out")"
[ "$(cat "$E2E_TMP/ssl.out")" = t ] || fail "the server does not report TLS: $(cat "$E2E_TMP/ssl.out")"

N=10
args=(-X -At "$CONN")
for i in $(seq $N); do args+=(-c "SELECT 'pg-tls-$i' AS q"); done
gated_client psql psql "${args[@]}"
PSQL=$GATED_PID

log "$N queries through psql (pid $PSQL, the only one traced), TLS after the SSLRequest"
start_tshark pg -o "extcap.ecapture_tls.pid:$PSQL" -d "tcp.port==$PORT,pgsql" \
	-T fields -E separator=/t -e ecapture.pid -e pgsql.query -e tcp.dstport -Y "tcp.port == $PORT"
wait_attached pg
open_gate psql
wait "$PSQL" || fail "psql failed: $(cat "$E2E_TMP/psql.client")"
[ "$(grep -c '^pg-tls-' "$E2E_TMP/psql.client")" -eq $N ] ||
	fail "psql did not get its $N answers: $(cat "$E2E_TMP/psql.client")"
wait_for_lines "$E2E_TMP/pg.out" "pg-tls-$N'" 1 20 || log "the last query not seen yet"
stop_tshark

# Every packet of the connection carries psql's pid; the queries come out of the TLS records.
# A packet names its socket's process: the client's packets its pid, the server's (untraced)
# never the client's.
total=$(wc -l <"$E2E_TMP/pg.out")
[ "$total" -gt 0 ] || fail "no packet of the connection was written"
wrong=$(awk -F'\t' -v p="$PSQL" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/pg.out" | wc -l)
sent=$(awk -F'\t' -v port="$PORT" '$NF == port' "$E2E_TMP/pg.out" | wc -l)
[ "$sent" -gt 0 ] || fail "no packet sent by psql was written"
[ "$wrong" -eq 0 ] || fail "$wrong of $total packets misnamed (psql is $PSQL): $(awk -F'\t' -v p="$PSQL" -v port="$PORT" '($NF == port) != ($1 == p)' "$E2E_TMP/pg.out" | head -3)"
log "ok: all $sent packets psql sent carry its pid $PSQL, none of the server's"
cut -f2 "$E2E_TMP/pg.out" | sed -n "s/^SELECT '\(pg-tls-[0-9]*\)' AS q\$/\1/p" >"$E2E_TMP/queries.txt"
assert_each_once "$E2E_TMP/queries.txt" pg-tls- $N

# The same queries as plaintext records: the plugin hands them to Wireshark's pgsql dissector,
# found by psql's StartupMessage (the port is not one the tcp.port table gives to pgsql).
gated_client psql2 psql "${args[@]}"
log "the $N queries again as plaintext records (pid $GATED_PID)"
capture_plaintext psql2 "$GATED_PID" pgsql.query pgsql.query "pg-tls-$N'"
others=$(awk -F'\t' -v p="$GATED_PID" '$1 != p' "$E2E_TMP/psql2.out" | wc -l)
[ "$others" -eq 0 ] || fail "$others records with a query not named after psql: $(head -3 "$E2E_TMP/psql2.out")"
cut -f2 "$E2E_TMP/psql2.out" | sed -n "s/^SELECT '\(pg-tls-[0-9]*\)' AS q\$/\1/p" >"$E2E_TMP/queries2.txt"
assert_each_once "$E2E_TMP/queries2.txt" pg-tls- $N
assert_clean
log "PASS"
