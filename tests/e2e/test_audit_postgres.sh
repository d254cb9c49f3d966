#!/usr/bin/env bash
# PostgreSQL: a cluster started here (temp dir, loopback, as postgres) receives 5 queries from
# psql (simple protocol) and 5 through libpq's PQexecParams (extended protocol: Parse, Bind,
# Execute), one failing in each set, plus a 40 KiB one; tshark on ecapture-postgres must show
# each exactly once with its backend's pid, its kind and its SQLSTATE, the 40 KiB one marked
# truncated with its real length. With a UID filter for another user, none appears.
source "$(dirname "$0")/lib.sh"
require_root
# E2E_PG_PREBUILT: a directory holding pg_extended built the same way elsewhere (the VM guest of
# tests/vm has no compiler: run.sh builds it on the host against the same Debian 12 libpq).
if [ -n "${E2E_PG_PREBUILT:-}" ]; then
	require_tools tshark python3 psql setpriv
else
	require_tools tshark python3 psql pg_config gcc setpriv
fi
require_installed_extcap
require_installed_plugin
HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/initdb" ] || fail "PostgreSQL server not installed"
chmod 755 "$E2E_TMP"
PG=$E2E_TMP/pg
mkdir -p "$PG/sock"
chown -R postgres: "$PG"
PORT=$(free_port)
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ -n "${E2E_PG_PREBUILT:-}" ]; then
	log "the libpq extended-protocol client built beforehand, in $E2E_PG_PREBUILT"
	cp "$E2E_PG_PREBUILT/pg_extended" "$E2E_TMP/" || fail "no prebuilt pg_extended"
else
	log "building the libpq extended-protocol client"
	gcc -Wall -Werror -o "$E2E_TMP/pg_extended" "$HERE/pg_extended.c" -I"$(pg_config --includedir)" \
		-lpq || fail "cannot build pg_extended.c"
fi

log "starting PostgreSQL on 127.0.0.1:$PORT"
as_postgres "$PGBIN/initdb" -D "$PG/data" -A trust -U postgres >"$E2E_TMP/initdb.log" 2>&1 ||
	fail "initdb failed: $(tail -3 "$E2E_TMP/initdb.log")"
as_postgres "$PGBIN/postgres" -D "$PG/data" -c listen_addresses=127.0.0.1 -p "$PORT" \
	-k "$PG/sock" -c shared_buffers=16MB >"$E2E_TMP/postgres.log" 2>&1 &
SERVER=$!
E2E_PIDS+=("$SERVER")
for i in $(seq 100); do
	"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
	kill -0 "$SERVER" 2>/dev/null || fail "postgres exited: $(tail -5 "$E2E_TMP/postgres.log")"
	sleep 0.2
done
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"

SIMPLE=(
	"CREATE TABLE ec_t (id int PRIMARY KEY, name text)"
	"INSERT INTO ec_t VALUES (1, 'one'), (2, 'two')"
	"SELECT name FROM ec_t WHERE id = 2"
	"SELECT nosuchcol FROM ec_t"
	"UPDATE ec_t SET name = 'uno' WHERE id = 1; SELECT count(*) FROM ec_t"
)
SIMPLE_STATE=(00000 00000 00000 42703 00000) # 42703: undefined_column
EXTENDED=(
	"SELECT \$1::int + 1"
	"INSERT INTO ec_t VALUES (\$1::int + 10, 'ext')"
	"SELECT name FROM ec_t WHERE id = \$1::int"
	"SELECT \$1::int / 0"
	"UPDATE ec_t SET name = 'seven' WHERE id = \$1::int + 10"
)
EXTENDED_STATE=(00000 00000 00000 22012 00000) # 22012: division_by_zero
LONG40=$(head -c 40000 /dev/zero | tr '\0' w)
FIELDS=(-T fields -E separator=/t -e ecapture.length -e ecapture.truncated -e ecapture.pid
	-e ecapture.sql.dialect -e ecapture.sql.kind -e ecapture.sql.sqlstate -e ecapture.sql.query
	-Y ecapture.sql.query)

log "5 simple queries (psql), 5 extended ones (PQexecParams), a 40 KiB one"
start_tshark_on ecapture-postgres q "${FIELDS[@]}"
wait_attached q
args=(-X -At -h 127.0.0.1 -p "$PORT" -U postgres -c "SELECT pg_backend_pid()")
for q in "${SIMPLE[@]}"; do args+=(-c "$q"); done
psql "${args[@]}" >"$E2E_TMP/psql.out" 2>"$E2E_TMP/psql.err"
PSQL_PID=$(head -1 "$E2E_TMP/psql.out")
[ -n "$PSQL_PID" ] || fail "psql: no backend pid: $(cat "$E2E_TMP/psql.err")"
"$E2E_TMP/pg_extended" "$CONN" "${EXTENDED[@]}" >"$E2E_TMP/ext.out" || fail "pg_extended failed"
EXT_PID=$(head -1 "$E2E_TMP/ext.out")
[ "$(grep -c PGRES_FATAL_ERROR "$E2E_TMP/ext.out")" -eq 1 ] ||
	fail "pg_extended: want exactly one failing query: $(cat "$E2E_TMP/ext.out")"
Q40="SELECT '$LONG40' AS forty_kib"
psql -X -At -h 127.0.0.1 -p "$PORT" -U postgres -c "$Q40" >/dev/null || fail "the 40 KiB query failed"
wait_for_lines "$E2E_TMP/q.out" "SELECT 'www" 1 20 || fail "the last query never showed"
stop_tshark
{
	for i in "${!SIMPLE[@]}"; do
		printf '%s\tPostgreSQL\t1\t%s\t%s\n' "$PSQL_PID" "${SIMPLE_STATE[$i]}" "${SIMPLE[$i]}"
	done
	for i in "${!EXTENDED[@]}"; do
		printf '%s\tPostgreSQL\t2\t%s\t%s\n' "$EXT_PID" "${EXTENDED_STATE[$i]}" "${EXTENDED[$i]}"
	done
} >"$E2E_TMP/q.expected"
python3 "$HERE/check_records.py" "$E2E_TMP/q.out" "$E2E_TMP/q.expected" 2 >&2 ||
	fail "queries not shown exactly"
log "ok: 5 simple (pid $PSQL_PID) and 5 extended (pid $EXT_PID) queries exactly once, with SQLSTATE"
# The 40 KiB one: its first 32767 bytes kept, marked truncated, with its real length (+ the
# record's 8-byte status header).
awk -F'\t' -v q="${Q40:0:32767}" -v len=$((8 + ${#Q40})) \
	'$7 == q && $2 == "1" && $1 == len && $6 == "00000" { n++ } END { exit n == 1 ? 0 : 1 }' \
	"$E2E_TMP/q.out" || fail "the 40 KiB query is not shown cut at 32 KiB, truncated, with its length"
log "ok: the ${#Q40}-byte query: its first 32 KiB, marked truncated, with its real length"
assert_clean

log "a UID filter for another user (root; the server runs as postgres)"
start_tshark_on ecapture-postgres uid -o extcap.ecapture_postgres.uid:0 "${FIELDS[@]}"
wait_attached uid
psql -X -At -h 127.0.0.1 -p "$PORT" -U postgres -c "SELECT 1 AS uid_check_1" >/dev/null ||
	fail "psql failed"
"$E2E_TMP/pg_extended" "$CONN" "SELECT \$1::int AS uid_check_2" >/dev/null || fail "pg_extended failed"
sleep 2
stop_tshark
n=$(grep -c 'uid_check' "$E2E_TMP/uid.out" || true)
[ "$n" -eq 0 ] || fail "$n queries of the postgres user shown with a UID filter for root"
log "ok: no query with a UID filter for root"
assert_clean
log "PASS"
