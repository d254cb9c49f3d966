#!/usr/bin/env bash
# The standalone text mode on real traffic: curl --http2 (nghttp2, OpenSSL) against nginx with
# HTTP/2 shows the frames with their headers decoded (HPACK) and the DATA as text; and
# --text-group=connection prints the records of each of two alternating connections together.
source "$(dirname "$0")/lib.sh"
require_root
require_tools curl nginx openssl python3
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
NGINX_HTTP2=1 start_nginx
URL="https://127.0.0.1:$TLS_PORT"

# text_capture NAME ARGS...: ecapturedump's text output in $E2E_TMP/NAME.out, started.
text_capture() {
	local name=$1
	shift
	"$EXTCAP" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" &
	EC=$!
	E2E_PIDS+=("$EC")
	wait_for_lines "$E2E_TMP/$name.err" 'capturing:' 1 30 || fail "$name: text mode did not start"
}

log "HTTP/2 in text mode"
gated_client h2 curl -sk --http2 -A 'curl/ec-h2' "$URL/h2/1" "$URL/h2/2" -o /dev/null -o /dev/null
H=$GATED_PID
text_capture h2
open_gate h2
wait "$H" || fail "curl --http2 failed: $(cat "$E2E_TMP/h2.client")"
wait_for_lines "$E2E_TMP/h2.out" '^path /h2/2$' 1 10 || fail "no second response in the text output"
kill -INT "$EC"
wait "$EC" || fail "ecapturedump exited with $?"
OUT="$E2E_TMP/h2.out"
grep -q $'\e' "$OUT" && fail "an escape character reached the output"
grep -q "^--- .* curl pid=$H .*SSL_write" "$OUT" || fail "no record of curl pid $H"
grep -qx 'HTTP/2 connection preface' "$OUT" || fail "the client preface is not recognised"
for line in ':method: GET' ':path: /h2/1' ':path: /h2/2' ':scheme: https' 'user-agent: curl/ec-h2' \
	':status: 200' 'path /h2/1' 'path /h2/2'; do
	grep -qxF -- "$line" "$OUT" || fail "\"$line\" missing from the text output"
done
grep -q '^HTTP/2 HEADERS stream=1 flags=0x[0-9a-f]* .*END_HEADERS' "$OUT" ||
	fail "no HEADERS frame line for stream 1"
grep -q '^HTTP/2 SETTINGS stream=0 ' "$OUT" || fail "no SETTINGS frame line"
grep -q '^HTTP/2 DATA stream=3 ' "$OUT" || fail "no DATA frame line for stream 3"
grep -q 'not decoded' "$OUT" && fail "headers not decoded: $(grep 'not decoded' "$OUT" | head -3)"
# The response headers follow their frame line: :status right after a HEADERS line.
awk '/^HTTP\/2 HEADERS / { h = 1; next } h && /^:status: 200$/ { ok = 1 } { h = 0 } END { exit !ok }' \
	"$OUT" || fail ":status: 200 is not the first line of a response's HEADERS"
log "ok: curl --http2: method, path, headers, :status 200 and the bodies decoded"
assert_clean

# runs FILE PID: for each record of PID in FILE, its connection (the two ports, sorted); then
# "CONNECTIONS RUNS": how many connections, and how many runs of consecutive records.
runs() {
	grep -a "^--- .* pid=$2 " "$1" |
		sed -n 's/.*127\.0\.0\.1:\([0-9]*\) > 127\.0\.0\.1:\([0-9]*\) SSL_.*/\1 \2/p' |
		awk '{ k = ($1 < $2) ? $1 "-" $2 : $2 "-" $1; if (!(k in seen)) { seen[k] = 1; n++ }
		       if (k != last) runs++; last = k } END { print n + 0, runs + 0 }'
}

config=$("$EXTCAP" --extcap-interface ecapture-tls --extcap-config)
n=$(sed -n 's/^arg {number=\([0-9]*\)}.*{call=--text-group}.*{type=selector}.*/\1/p' <<<"$config")
[ -n "$n" ] || fail "no --text-group selector in the config dialog: $config"
for v in none connection; do
	grep -qF "value {arg=$n}{value=$v}" <<<"$config" || fail "no $v for --text-group in the dialog"
done

N=4
for mode in none connection; do
	log "two alternating connections, --text-group=$mode"
	gated_client "g$mode" python3 "$(dirname "$0")/two_conns.py" "$TLS_PORT" "g$mode" $N
	G=$GATED_PID
	text_capture "g$mode" --text-group=$mode
	open_gate "g$mode"
	wait "$G" || fail "the client failed: $(cat "$E2E_TMP/g$mode.client")"
	kill -INT "$EC"
	wait "$EC" || fail "ecapturedump exited with $?"
	for i in $(seq $N); do
		for c in a b; do
			grep -q "^GET /g$mode-$c-$i HTTP/1.1" "$E2E_TMP/g$mode.out" ||
				fail "--text-group=$mode: request /g$mode-$c-$i missing"
		done
	done
	read -r conns nruns < <(runs "$E2E_TMP/g$mode.out" "$G")
	[ "$conns" -eq 2 ] || fail "--text-group=$mode: $conns connections of pid $G, not 2"
	if [ $mode = none ]; then
		# As they come: the requests alternate, so the connections' records do.
		[ "$nruns" -ge $((2 * N)) ] || fail "records as they come: only $nruns runs"
	else
		[ "$nruns" -eq 2 ] ||
			fail "--text-group=connection: the 2 connections' records in $nruns runs, not 2"
	fi
	log "ok: --text-group=$mode: 2 connections, their records in $nruns runs"
	assert_clean
done
log "PASS"
