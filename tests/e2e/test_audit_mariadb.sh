#!/usr/bin/env bash
# MariaDB: a server started here (temp dir, loopback, as mysql) receives 10 known queries from
# the real mariadb client, one failing and one 10 KiB long, plus one of 40 KiB; tshark on
# ecapture-mysqld must show each exactly once with the server's pid and result, the 40 KiB one
# cut at 32 KiB and marked truncated with its real length. With a UID filter for another user,
# none appears.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark python3 mariadbd mariadb mariadb-install-db mariadb-admin
require_installed_extcap
require_installed_plugin
HERE=$(cd "$(dirname "$0")" && pwd)
chmod 755 "$E2E_TMP"
start_mariadb
sql() { mariadb --no-defaults -h 127.0.0.1 -P "$PORT" -u root -e "$1"; }

LONG10=$(head -c 10240 /dev/zero | tr '\0' z)
LONG40=$(head -c 40000 /dev/zero | tr '\0' w)
QUERIES=(
	"CREATE DATABASE ec_test"
	"CREATE TABLE ec_test.t (id INT PRIMARY KEY, name VARCHAR(64))"
	"INSERT INTO ec_test.t VALUES (1, 'one'), (2, 'two')"
	"SELECT name FROM ec_test.t WHERE id = 2"
	"UPDATE ec_test.t SET name = 'uno' WHERE id = 1"
	"SELECT nosuchcol FROM ec_test.t"
	"SELECT COUNT(*) FROM ec_test.t"
	"SELECT '$LONG10' AS ten_kib"
	"DELETE FROM ec_test.t WHERE id = 2"
	"DROP DATABASE ec_test"
)
FAILING=6 # Unknown column: ER_BAD_FIELD_ERROR 1054
FIELDS=(-T fields -E separator=/t -e ecapture.length -e ecapture.truncated -e ecapture.pid
	-e ecapture.sql.dialect -e ecapture.sql.status -e ecapture.sql.query -Y ecapture.sql.query)

log "10 queries and a 40 KiB one through the mariadb client"
start_tshark_on ecapture-mysqld q "${FIELDS[@]}"
wait_attached q
for i in "${!QUERIES[@]}"; do
	sql "${QUERIES[$i]}" >/dev/null 2>>"$E2E_TMP/client.err" || [ $((i + 1)) -eq $FAILING ] ||
		fail "query $((i + 1)) failed: $(tail -1 "$E2E_TMP/client.err")"
done
sql "SELECT '$LONG40' AS forty_kib" >/dev/null || fail "the 40 KiB query failed"
wait_for_lines "$E2E_TMP/q.out" "SELECT 'www" 1 20 || fail "the last query never showed"
stop_tshark
for i in "${!QUERIES[@]}"; do
	printf '%s\tMariaDB\t%s\t%s\n' "$SERVER" "$([ $((i + 1)) -eq $FAILING ] && echo 1054 || echo 0)" \
		"${QUERIES[$i]}"
done >"$E2E_TMP/q.expected"
python3 "$HERE/check_records.py" "$E2E_TMP/q.out" "$E2E_TMP/q.expected" 2 >&2 ||
	fail "queries not shown exactly"
log "ok: 10 queries exactly once, pid $SERVER, status 1054 for the failing one, 10 KiB whole"
# The 40 KiB one: its first 32 KiB kept, marked truncated, with its real length (+ the
# record's 8-byte status header).
Q40="SELECT '$LONG40' AS forty_kib"
awk -F'\t' -v q="${Q40:0:32768}" -v len=$((8 + ${#Q40})) \
	'$6 == q && $2 == "1" && $1 == len && $5 == "0" { n++ } END { exit n == 1 ? 0 : 1 }' \
	"$E2E_TMP/q.out" || fail "the 40 KiB query is not shown cut at 32 KiB, truncated, with its length"
log "ok: the ${#Q40}-byte query: its first 32 KiB, marked truncated, with its real length"
assert_clean

log "a PID filter: the server's pid, then another process's"
for p in "$SERVER" $$; do
	start_tshark_on ecapture-mysqld "pid-$p" -o "extcap.ecapture_mysqld.pid:$p" "${FIELDS[@]}"
	wait_attached "pid-$p"
	sql "SELECT $p AS pid_check" >/dev/null || fail "query failed"
	[ "$p" != "$SERVER" ] || wait_for_lines "$E2E_TMP/pid-$p.out" 'pid_check' 1 20 || true
	sleep 1
	stop_tshark
	n=$(grep -c "SELECT $p AS pid_check" "$E2E_TMP/pid-$p.out" || true)
	[ "$n" -eq "$([ "$p" = "$SERVER" ] && echo 1 || echo 0)" ] || fail "$n queries with a PID filter of $p"
	assert_clean
done
log "ok: a PID filter of the server shows its query, one of another process shows none"

log "a UID filter for another user (root; the server runs as mysql)"
start_tshark_on ecapture-mysqld uid -o extcap.ecapture_mysqld.uid:0 "${FIELDS[@]}"
wait_attached uid
for i in 1 2 3; do sql "SELECT $i AS uid_check_$i" >/dev/null || fail "query failed"; done
sleep 2
stop_tshark
n=$(grep -c 'uid_check' "$E2E_TMP/uid.out" || true)
[ "$n" -eq 0 ] || fail "$n queries of the mysql user shown with a UID filter for root"
log "ok: no query with a UID filter for root"
assert_clean
log "PASS"
