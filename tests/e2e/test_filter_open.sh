#!/usr/bin/env bash
# A filter set in the toolbar applies to connections already open (issue 22, 3): two HTTPS
# clients A and B, each keeping one connection open and making a request on it every 0.2 s
# (/a-N, /b-N), both decrypted; then the PID filter set to A through the control pipe. The change
# point is found by content, not time: once the capture acknowledged the filter (its log line),
# B's last answered request is read from B's own output; every B request after the next one was
# sent after the change. None of them may appear in the capture, A's go on, and B's connection
# is named once in the log as left out by the filter. A third keep-alive client C, started while
# the filter leaves it out, is named as filtered out; once the filter is cleared its open
# connection is written from its next packet (named as not decryptable: its handshake is gone),
# and B's connection is written again (named: not decryptable from there, its records in between
# are missing).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark nginx curl python3
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
HERE=$(dirname "$0")
start_nginx

F=$E2E_TMP/capture.fifo CI=$E2E_TMP/control-in CO=$E2E_TMP/control-out CMD=$E2E_TMP/commands
mkfifo "$F" "$CI" "$CO" "$CMD"
RECV=$E2E_TMP/received.out
: >"$RECV"
python3 -u "$HERE/control_pipe.py" "$CI" "$CO" "$RECV" "$CMD" 2>"$E2E_TMP/control_pipe.err" 9>&- &
E2E_PIDS+=($!)
tshark -i "$F" -l -T fields -e http.request.uri -e tcp.srcport -e tcp.dstport \
	>"$E2E_TMP/uris.out" 2>"$E2E_TMP/tshark.err" 9>&- &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")
"$EXTCAP" --capture --extcap-interface ecapture-tls --fifo "$F" --extcap-control-in "$CI" \
	--extcap-control-out "$CO" --netif lo --log-level info --log-file "$E2E_TMP/capture.log" \
	2>"$E2E_TMP/capture.err" 9>&- &
CAP_PID=$!
E2E_PIDS+=("$CAP_PID")
wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 60 || fail "ecapturedump never started capturing"

# The clients start once the capture runs: their handshakes are seen, their connections decrypted.
python3 -u "$HERE/https_keepalive.py" "$TLS_PORT" a 0.2 >"$E2E_TMP/client-a.out" 2>&1 9>&- &
PID_A=$!
E2E_PIDS+=("$PID_A")
python3 -u "$HERE/https_keepalive.py" "$TLS_PORT" b 0.2 >"$E2E_TMP/client-b.out" 2>&1 9>&- &
PID_B=$!
E2E_PIDS+=("$PID_B")

send() { printf '%s\n' "$*" >"$CMD"; }
# captured WHO MIN: how many of WHO's requests with a sequence number above MIN were captured
captured() { awk -F'\t' -v p="/$1-" -v min="$2" 'index($1, p) == 1 && substr($1, length(p) + 1) + 0 > min' \
	"$E2E_TMP/uris.out" | wc -l; }
# answered WHO: the sequence number of WHO's last answered request
answered() { sed -n "s|^/$1-\([0-9]*\)\$|\1|p" "$E2E_TMP/client-$1.out" | tail -1; }
# wait_captured WHO MIN TIMEOUT: until a request of WHO above MIN was captured
wait_captured() {
	local i
	for i in $(seq $(($3 * 2))); do
		[ "$(captured "$1" "$2")" -gt 0 ] && return 0
		kill -0 "$CAP_PID" 2>/dev/null || fail "ecapturedump exited: $(cat "$E2E_TMP/capture.err")"
		sleep 0.5
	done
	fail "no request of $1 above $2 captured in $3 s ($(tail -2 "$E2E_TMP/uris.out" | tr '\n' ' '))"
}
# wait_answered WHO N TIMEOUT: until WHO's request N was answered
wait_answered() {
	local i
	for i in $(seq $(($3 * 2))); do
		[ "$(answered "$1")" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.5
	done
	fail "client $1 did not get to request $2: $(tail -2 "$E2E_TMP/client-$1.out")"
}

wait_captured a 0 30
wait_captured b 0 30
log "ok: both keep-alive clients decrypted (a: $(captured a 0), b: $(captured b 0))"

send set 1 "$PID_A"
wait_for_lines "$E2E_TMP/capture.log" "toolbar: now tracing processes $PID_A" 1 10 ||
	fail "the PID filter was not taken"
# B's request after its last answered one may have been on its way at the change; the ones after
# it were sent after the change was made.
b_cut=$(($(answered b) + 1))
grep -q '^error' "$E2E_TMP/client-b.out" && fail "client b reconnected: $(grep '^error' "$E2E_TMP/client-b.out")"
wait_answered b $((b_cut + 15)) 30
# A's requests sent after B's last ones were answered: once one is captured, B's are behind it.
a_after=$(answered a)
wait_captured a "$a_after" 30
n=$(captured b "$b_cut")
[ "$n" -eq 0 ] || fail "$n request(s) of b sent after the filter change were captured: $(awk -F'\t' -v p=/b- 'index($1, p) == 1' "$E2E_TMP/uris.out" | tail -3 | tr '\n' ' ')"
log "ok: PID filter $PID_A: 0 of b's requests after /b-$b_cut captured (b answered up to $(answered b)), a's go on (/a-$(answered a))"
grep -q '^error' "$E2E_TMP/client-b.out" && fail "client b reconnected: the test needs one open connection"

[ "$(grep -c "\[$PID_B\] (uid [0-9]*)[^:]*: TLS connection .* left out from now on: filtered out" "$E2E_TMP/capture.log")" -eq 1 ] ||
	fail "b's connection is not named once as filtered out: $(grep -a 'left out' "$E2E_TMP/capture.log")"
grep -q "\[$PID_A\] .*left out" "$E2E_TMP/capture.log" && fail "a's connection named as left out"
log "ok: named: $(grep -o "[^ ]*\[$PID_B\] (uid [0-9]*)[^:]*: TLS connection .*" "$E2E_TMP/capture.log")"

# C starts while the filter leaves it out: its connection is held, then left out, named.
python3 -u "$HERE/https_keepalive.py" "$TLS_PORT" c 0.2 >"$E2E_TMP/client-c.out" 2>&1 9>&- &
PID_C=$!
E2E_PIDS+=("$PID_C")
wait_for_lines "$E2E_TMP/capture.log" "python3\[$PID_C\]: TLS connection .* left out: filtered out" 1 30 ||
	fail "c's connection is not named as filtered out: $(grep -a 'left out' "$E2E_TMP/capture.log")"
port_c=$(ss -tnpH state established "( dport = :$TLS_PORT )" | grep "pid=$PID_C," | awk '{print $3}' | sed 's/.*://')
[ -n "$port_c" ] || fail "no connection of c found: $(ss -tnp)"
port_b=$(ss -tnpH state established "( dport = :$TLS_PORT )" | grep "pid=$PID_B," | awk '{print $3}' | sed 's/.*://')
# packets_on PORT: packets captured of the connection whose client port is PORT
packets_on() { awk -F'\t' -v p="$1" '$2 == p || $3 == p' "$E2E_TMP/uris.out" | wc -l; }
packets_c() { packets_on "$port_c"; }
[ "$(packets_c)" -eq 0 ] || fail "packets of c written while the filter left it out"
nb_packets=$(packets_on "$port_b")
[ "$(captured c 0)" -eq 0 ] || fail "requests of c decrypted while the filter left it out"
send set 1 ""
wait_for_lines "$E2E_TMP/capture.log" 'toolbar: now tracing every process' 1 10 || fail "the PID filter was not cleared"
wait_for_lines "$E2E_TMP/capture.log" "python3\[$PID_C\]: TLS connection .*:$port_c\\b.* written from its next packet, not decryptable: opened before the filter allowed it" 1 10 ||
	fail "c's connection is not named as let in: $(grep -a "$PID_C" "$E2E_TMP/capture.log")"
c_after=$(answered c)
wait_answered c $((c_after + 5)) 30
a_after=$(answered a)
wait_captured a "$a_after" 30
[ "$(packets_c)" -gt 0 ] || fail "c's open connection is not written after the filter let it in"
grep -q '^error' "$E2E_TMP/client-c.out" && fail "client c reconnected: the test needs one open connection"
log "ok: c left out, then written from its next packets once let in ($(packets_c) packets): $(grep -o "python3\[$PID_C\]: TLS.*written from.*" "$E2E_TMP/capture.log")"
# B's connection is written again from its next packet (its records in between are missing, so
# Wireshark cannot go on decrypting it), named once.
[ "$(packets_on "$port_b")" -gt "$nb_packets" ] || fail "b's open connection is not written again"
grep -q "\[$PID_B\] (uid [0-9]*)[^:]*: TLS connection .*:$port_b\\b.* written again from its next packet, not decryptable from there" "$E2E_TMP/capture.log" ||
	fail "b's connection is not named as written again: $(grep -a "$PID_B" "$E2E_TMP/capture.log")"
log "ok: filter cleared: b's connection written again ($(($(packets_on "$port_b") - nb_packets)) packets), named"

send quit
kill -TERM "$CAP_PID"
wait "$CAP_PID" || fail "ecapturedump exited with status $?"
grep -q 'by reason: filtered out 2, .*opened before the filter allowed it 1, .*left it out for a while 1\b' "$E2E_TMP/capture.log" ||
	fail "no count of the connections the filters left out: $(tail -3 "$E2E_TMP/capture.log")"
kill "$PID_A" "$PID_B" "$PID_C" 2>/dev/null || true
assert_clean
log "PASS"
