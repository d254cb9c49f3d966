#!/usr/bin/env bash
# Forced loss is reported exactly. ecapturedump runs with a small ring buffer (a test setting)
# and is stopped (SIGSTOP) while ab makes new HTTPS connections, so the kernel loses most of
# their events; dumpcap counts the same packets independently. Then:
#  - every packet dumpcap saw is either in our file, or counted lost (isb_ifdrop), or counted as
#    left out (packets of connections not claimed, named in the ISB comment): exactly;
#  - every request is decrypted or its connection is reported (missing packets or keys);
#  - the Interface Statistics Block (one per interface: Wireshark's Capture File Properties shows
#    drops only then), the packets' drop counts (tshark's frame.drop_count) and the log say the
#    same; Wireshark itself shows the drops (its Capture File Properties, under Xvfb, copied out
#    through the clipboard).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark dumpcap ab nginx curl python3 wireshark Xvfb xdotool xclip
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
BEFORE=10 DURING=200 AFTER=10
start_nginx

dumpcap -q -i lo -f "tcp port $TLS_PORT" -w "$E2E_TMP/ref.pcapng" 2>"$E2E_TMP/dumpcap.err" 9>&- &
DUMPCAP_PID=$!
E2E_PIDS+=("$DUMPCAP_PID")
wait_for_lines "$E2E_TMP/dumpcap.err" 'File:' 1 30 || fail "dumpcap did not start: $(cat "$E2E_TMP/dumpcap.err")"

# --unclaimed: a connection whose keys were lost is written too, so only the kernel loses packets.
ECAPTURE_TEST_RINGBUF_KIB=256 "$EXTCAP" --netif lo --unclaimed -w "$E2E_TMP/out.pcapng" \
	2>"$E2E_TMP/capture.log" &
CLI_PID=$!
E2E_PIDS+=("$CLI_PID")
wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 30 || fail "ecapturedump never started capturing"
grep -q 'test setting: a ring buffer of 256 KiB' "$E2E_TMP/capture.log" || fail "the test ring buffer size was not taken"

ab_requests "$BEFORE" before
sleep 1 # let the reader empty the ring (not asserted: only what is reported counts)
kill -STOP "$CLI_PID"
ab_requests "$DURING" during # far more than 256 KiB of events: the ring fills, the kernel drops
kill -CONT "$CLI_PID"
sleep 2 # the counters are read once a second: the next packets carry the loss
ab_requests "$AFTER" after
SENT=$((BEFORE + DURING + AFTER))

kill -INT "$CLI_PID"
wait "$CLI_PID" || fail "ecapturedump exited with status $?"
sleep 0.5
kill -INT "$DUMPCAP_PID"
wait "$DUMPCAP_PID" || true
grep -E 'kernel losses|: (no loss|lost: )' "$E2E_TMP/capture.log" >&2 || true
grep -q 'so far lost: ' "$E2E_TMP/capture.log" || fail "no warning on the console while losing"

# The reference must itself be complete.
python3 "$(dirname "$0")/isb_stats.py" "$E2E_TMP/ref.pcapng" >"$E2E_TMP/ref-isb.out"
IFS=$'\t' read -r _ _ ref_drop _ _ <"$E2E_TMP/ref-isb.out" || fail "dumpcap wrote no statistics"
[ "$ref_drop" = 0 ] || [ "$ref_drop" = - ] || fail "dumpcap itself dropped $ref_drop packets: no reference"
seen=$(tshark -r "$E2E_TMP/ref.pcapng" 2>/dev/null | wc -l)

python3 "$(dirname "$0")/isb_stats.py" "$E2E_TMP/out.pcapng" >"$E2E_TMP/isb.out"
cat "$E2E_TMP/isb.out" >&2
IFS=$'\t' read -r name recv drop osdrop comment <"$E2E_TMP/isb.out" || fail "no Interface Statistics Block"
[ "$name" = lo ] || fail "the statistics are for $name, not lo"
written=$(tshark -r "$E2E_TMP/out.pcapng" -Y "tcp.port == $TLS_PORT" 2>/dev/null | wc -l)
all_written=$(tshark -r "$E2E_TMP/out.pcapng" -Y tcp 2>/dev/null | wc -l)
left_out=$(sed -n 's/.*; \([0-9]*\) packet(s) left out (connections no traced library claimed).*/\1/p' <<<"$comment")
left_out=${left_out:-0}
decrypted=$(tshark -r "$E2E_TMP/out.pcapng" -Y http.request 2>/dev/null | wc -l)
conns_missing=$(sed -n 's/.*[:,] \([0-9]*\) connection(s) missing packets.*/\1/p' <<<"$comment")
keys_missing=$(sed -n 's/.*[:,] \([0-9]*\) traced connection(s) written without keys.*/\1/p' <<<"$comment")
conns_missing=${conns_missing:-0} keys_missing=${keys_missing:-0}
log "packets: $seen on the wire (dumpcap), $written written, $drop reported lost, $left_out left out; isb_ifrecv $recv"
log "requests: $SENT sent, $decrypted decrypted; connections reported: $conns_missing missing packets, $keys_missing without keys"

[ "$drop" -gt 0 ] || fail "no loss was forced: the test proves nothing"
[ "$written" -eq "$all_written" ] || fail "other TCP traffic on lo was captured ($all_written packets): cannot compare"
[ "$seen" -eq $((written + drop + left_out)) ] ||
	fail "on the wire $seen != written $written + lost $drop + left out $left_out"
[ "$recv" -eq "$seen" ] || fail "isb_ifrecv $recv != $seen packets on the wire"
[ "$osdrop" -eq "$drop" ] || fail "isb_osdrop $osdrop != isb_ifdrop $drop (all losses are the kernel's)"
[ "$decrypted" -le "$SENT" ] || fail "$decrypted decrypted of $SENT sent"
[ $((decrypted + conns_missing + keys_missing)) -ge "$SENT" ] ||
	fail "$((SENT - decrypted)) requests not decrypted, only $((conns_missing + keys_missing)) connections reported"
kernel_lost=$(sed -n 's/.*packets: [0-9]* written by the kernel, \([0-9]*\) lost.*/\1/p' "$E2E_TMP/capture.log")
[ "$kernel_lost" = "$drop" ] || fail "the log says $kernel_lost packets lost, the ISB $drop"
told=$(drop_count_sum "$E2E_TMP/out.pcapng" lo)
[ "$told" = "$drop" ] || fail "the packets' drop counts add up to $told, the ISB says $drop"
stat_entries "$E2E_TMP/out.pcapng" >"$E2E_TMP/entries" || fail "capinfos cannot read the file"
entries=$(sort -u "$E2E_TMP/entries")
[ "$entries" = 1 ] || fail "statistics blocks per interface: $entries, not exactly one"
log "ok: loss reported exactly: $seen = $written + $drop + $left_out"

# What Wireshark shows: Statistics › Capture File Properties, its Interfaces table.
source "$(dirname "$0")/../gui/lib.sh"
gui_start_xvfb
E2E_PIDS+=("$XVFB_PID")
(cd "$E2E_TMP" && exec env HOME="$E2E_TMP" DISPLAY="$GUI_DISPLAY" wireshark -r "$E2E_TMP/out.pcapng") \
	>"$E2E_TMP/wireshark.log" 2>&1 9>&- &
E2E_PIDS+=("$!")
WIN=$(gui_window_named 'out\.pcapng' 60) || fail "no Wireshark window: $(cat "$E2E_TMP/wireshark.log")"
sleep 1
gui_x xdotool windowfocus "$WIN" key --clearmodifiers ctrl+alt+shift+c
DLG=$(gui_window_named 'Capture File Properties' 20) || fail "Capture File Properties did not open"
sleep 1
gui_x xdotool mousemove --window "$DLG" 300 120 click 1
sleep 0.3
gui_x xdotool key --clearmodifiers ctrl+a ctrl+c
sleep 0.5
props=$(gui_x timeout 5 xclip -o -selection clipboard | sed -n '/^Interfaces/,/^Statistics/p' | tr '\n' '|')
case $props in
*"|lo|$drop ("*) log "ok: Wireshark's Capture File Properties: ${props//|/ }" ;;
*) fail "Wireshark's Capture File Properties do not show $drop dropped on lo: ${props:-nothing copied}" ;;
esac
assert_clean
