#!/usr/bin/env bash
# The other outputs: plaintext records decoded as HTTP by the plugin (with the right pid), the
# standalone text mode, and a key log file that decrypts an independent capture of the same
# traffic taken with plain `tshark -i lo`.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
start_nginx
URL="https://127.0.0.1:$TLS_PORT"
N=15

urls() { local p=$1 i; for i in $(seq $N); do printf '%s\n' "$URL/$p/$i"; done; }

log "plaintext records through the plugin"
gated_client a curl -sk --http1.1 $(urls pa) -o /dev/null
A=$GATED_PID
gated_client b curl -sk --http1.1 --tlsv1.2 --tls-max 1.2 $(urls pb) -o /dev/null
B=$GATED_PID
start_tshark plain -o extcap.ecapture_tls.mode:plaintext -Y http \
	-T fields -E separator=/t -e ecapture.pid -e http.response.code -e http.request.uri
wait_attached plain
open_gate a
open_gate b
wait "$A" "$B" || fail "a client failed"
wait_for_lines "$E2E_TMP/plain.out" "/pb/$N\$" 1 20 || true
sleep 1
stop_tshark
for c in "pa $A" "pb $B"; do
	set -- $c
	seen=$(awk -F'\t' -v p="/$1/" -v pid="$2" 'index($3, p) == 1 && $1 == pid' "$E2E_TMP/plain.out" |
		cut -f3 | sort -u | wc -l)
	[ "$seen" -eq $N ] || fail "/$1: $seen of $N requests as HTTP with pid $2"
	log "ok: /$1/1..$N as plaintext HTTP records from pid $2"
done
responses=$(awk -F'\t' '$2 == "200"' "$E2E_TMP/plain.out" | wc -l)
[ "$responses" -ge $((2 * N)) ] || fail "only $responses HTTP responses decoded"
assert_clean

log "text mode"
gated_client t curl -sk --http1.1 "$URL/text/1" -o /dev/null
T=$GATED_PID
# A program may be named anything: this one's name turns the terminal red.
ESC_CURL="$E2E_TMP/c"$'\e'"[31mx"
cp "$(command -v curl)" "$ESC_CURL"
gated_client e "$ESC_CURL" -sk --http1.1 "$URL/text/esc" -o /dev/null
E=$GATED_PID
"$EXTCAP" >"$E2E_TMP/text.out" 2>"$E2E_TMP/text.err" &
EC=$!
E2E_PIDS+=("$EC")
wait_for_lines "$E2E_TMP/text.err" 'capturing:' 1 30 || fail "text mode did not start"
open_gate t
wait "$T" || fail "curl failed"
wait_for_lines "$E2E_TMP/text.out" 'path /text/1' 1 10 || fail "no response in text output"
open_gate e
wait "$E" || fail "the renamed curl failed"
wait_for_lines "$E2E_TMP/text.out" 'path /text/esc' 1 10 || fail "no response to the renamed curl"
kill -INT "$EC"
wait "$EC" || fail "ecapturedump exited with $?"
grep -q $'\e' "$E2E_TMP/text.out" "$E2E_TMP/text.err" && fail "an escape character reached the output"
grep -qF -- "--- " "$E2E_TMP/text.out" && grep -qF 'c\x1b[31mx pid='"$E" "$E2E_TMP/text.out" ||
	fail "the renamed curl's name is not shown escaped: $(grep -a "pid=$E" "$E2E_TMP/text.out" | head -1)"
log "ok: a program name with an escape sequence is shown escaped"
grep -q "^GET /text/1 HTTP/1.1" "$E2E_TMP/text.out" || fail "request missing from text output"
grep -q "^--- .* curl pid=$T .*SSL_write" "$E2E_TMP/text.out" ||
	fail "no header naming curl pid $T: $(head -3 "$E2E_TMP/text.out")"
log "ok: text mode"
assert_clean

log "key log file against an independent capture"
"$EXTCAP" --keylog "$E2E_TMP/keys.txt" 2>"$E2E_TMP/keylog.err" &
EC=$!
E2E_PIDS+=("$EC")
tshark -i lo -f "tcp port $TLS_PORT" -w "$E2E_TMP/lo.pcapng" 2>"$E2E_TMP/lo.err" &
LO=$!
E2E_PIDS+=("$LO")
wait_for_lines "$E2E_TMP/keylog.err" 'capturing:' 1 30 || fail "--keylog did not start"
wait_for_lines "$E2E_TMP/lo.err" 'Capturing on' 1 30 || fail "tshark -i lo did not start"
sleep 0.5
for i in $(seq 10); do
	curl -sk --http1.1 --tlsv1.3 "$URL/k13/$i" -o /dev/null || fail "curl"
	curl -sk --http1.1 --tlsv1.2 --tls-max 1.2 "$URL/k12/$i" -o /dev/null || fail "curl"
done
sleep 1
kill -INT "$LO" "$EC"
wait "$LO" || true
wait "$EC" || fail "ecapturedump --keylog exited with $?"
tshark -r "$E2E_TMP/lo.pcapng" -o "tls.keylog_file:$E2E_TMP/keys.txt" -Y http.request \
	-T fields -e http.request.uri >"$E2E_TMP/lo.out" 2>/dev/null
assert_each_once "$E2E_TMP/lo.out" /k13/ 10
assert_each_once "$E2E_TMP/lo.out" /k12/ 10
assert_clean
log "PASS"
