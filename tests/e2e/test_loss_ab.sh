#!/usr/bin/env bash
# No silent loss under load: ab makes 20000 HTTPS requests, each on a new connection, 8 at a time,
# while ecapturedump captures loopback to a file. Every request is decrypted from the file (by
# tshark with the plugin, which reads the keys from the file's DSBs), and the Interface
# Statistics Block of lo says nothing was lost. Found this way: a client port registered by
# another protocol (EtherNet/IP 44818, ADS 48898) took a few connections from TLS in Wireshark.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark ab nginx curl python3
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
N=20000
start_nginx

"$EXTCAP" --netif lo -w "$E2E_TMP/ab.pcapng" 2>"$E2E_TMP/ab-capture.log" &
CLI_PID=$!
E2E_PIDS+=("$CLI_PID")
wait_for_lines "$E2E_TMP/ab-capture.log" 'capturing:' 1 30 || fail "ecapturedump never started capturing"

ab -n "$N" -c 8 "https://127.0.0.1:$TLS_PORT/ab" >"$E2E_TMP/ab.out" 2>&1 || fail "ab failed"
complete=$(awk '/^Complete requests:/ {print $3}' "$E2E_TMP/ab.out")
failed=$(awk '/^Failed requests:/ {print $3}' "$E2E_TMP/ab.out")
[ "$complete" = "$N" ] && [ "$failed" = 0 ] || fail "ab: $complete complete, $failed failed of $N"

kill -INT "$CLI_PID"
wait "$CLI_PID" || fail "ecapturedump exited with status $?"
grep -E 'kernel losses|: (no loss|lost: )' "$E2E_TMP/ab-capture.log" >&2 || true

[ "$(stat -c %a "$E2E_TMP/ab.pcapng")" = 600 ] ||
	fail "the capture file, which holds every key, is mode $(stat -c %a "$E2E_TMP/ab.pcapng")"
decrypted=$(tshark -r "$E2E_TMP/ab.pcapng" -Y 'http.request.uri == "/ab"' 2>/dev/null | wc -l)
log "ab: $complete requests sent, $decrypted decrypted from the file"
[ "$decrypted" -eq "$complete" ] || fail "$decrypted of $complete requests decrypted"

python3 "$(dirname "$0")/isb_stats.py" "$E2E_TMP/ab.pcapng" >"$E2E_TMP/isb.out"
cat "$E2E_TMP/isb.out" >&2
IFS=$'\t' read -r name recv drop osdrop comment <"$E2E_TMP/isb.out" || fail "no Interface Statistics Block"
[ "$name" = lo ] || fail "the statistics are for $name, not lo"
[ "$drop" = 0 ] && [ "$osdrop" = 0 ] || fail "packets lost: $drop ($comment)"
[ "$recv" -gt "$N" ] || fail "isb_ifrecv $recv: fewer packets than requests"
case $comment in "ecapturedump no loss"*) ;; *) fail "the statistics name a loss: $comment" ;; esac
grep -q '^ecapturedump: no loss' "$E2E_TMP/ab-capture.log" || fail "the log does not say there was no loss"
log "ok: $decrypted/$N decrypted, no loss reported in the log and the ISB ($recv packets)"
assert_clean
