#!/usr/bin/env bash
# Forced loss, saved through Wireshark's own capture path: tshark -i ecapture-tls -w FILE (dumpcap
# reads our FIFO and writes the file). dumpcap (4.0) stops reading our stream before we stop, so
# the statistics block we write at the end does not reach the file; the packets' drop counts do
# (epb_dropcount on the first packet written after a loss is seen: dumpcap keeps our blocks as
# they are). Checked:
#  - tshark shows the drops in the saved file (frame.drop_count), non-zero, and exactly what is
#    missing: packets on the wire (an independent dumpcap) = saved + dropped + left out;
#  - the log says the same; the file never has several statistics blocks for lo (Wireshark's
#    Capture File Properties shows drops only from exactly one).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark dumpcap capinfos ab nginx curl python3
require_installed_extcap
require_installed_plugin
BEFORE=10 DURING=200 AFTER=10
HERE=$(cd "$(dirname "$0")" && pwd)
start_nginx
cd "$E2E_TMP" # dumpcap cannot save into a directory it cannot read

dumpcap -q -i lo -f "tcp port $TLS_PORT" -w "$E2E_TMP/ref.pcapng" 2>"$E2E_TMP/dumpcap.err" 9>&- &
DUMPCAP_PID=$!
E2E_PIDS+=("$DUMPCAP_PID")
wait_for_lines "$E2E_TMP/dumpcap.err" 'File:' 1 30 || fail "dumpcap did not start: $(cat "$E2E_TMP/dumpcap.err")"

# --unclaimed: a connection whose keys were lost is saved too, so only the kernel loses packets.
ECAPTURE_TEST_RINGBUF_KIB=256 tshark -i ecapture-tls -o extcap.ecapture_tls.netif:lo \
	-o extcap.ecapture_tls.unclaimed:TRUE -o "extcap.ecapture_tls.logfile:$E2E_TMP/capture.log" \
	-w "$E2E_TMP/out.pcapng" >"$E2E_TMP/tshark.out" 2>"$E2E_TMP/tshark.err" 9>&- &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")
wait_attached capture
grep -q 'test setting: a ring buffer of 256 KiB' "$E2E_TMP/capture.log" || fail "the test ring buffer size was not taken"
CAP_PID=$(pgrep -x ecapturedump) || fail "no ecapturedump process"
[ "$(wc -w <<<"$CAP_PID")" -eq 1 ] || fail "more than one ecapturedump: $CAP_PID"

ab_requests "$BEFORE" before
sleep 1
kill -STOP "$CAP_PID"
ab_requests "$DURING" during # far more than 256 KiB of events: the ring fills, the kernel drops
kill -CONT "$CAP_PID"
sleep 2 # the counters are read once a second: the next packets carry the loss
ab_requests "$AFTER" after
sleep 5 # held connections decided (3 s) and written
stop_tshark
sleep 0.5
kill -INT "$DUMPCAP_PID"
wait "$DUMPCAP_PID" || true

python3 "$HERE/isb_stats.py" "$E2E_TMP/ref.pcapng" >"$E2E_TMP/ref-isb.out"
IFS=$'\t' read -r _ _ ref_drop _ _ <"$E2E_TMP/ref-isb.out" || fail "dumpcap wrote no statistics"
[ "$ref_drop" = 0 ] || [ "$ref_drop" = - ] || fail "dumpcap itself dropped $ref_drop packets: no reference"
seen=$(tshark -r "$E2E_TMP/ref.pcapng" 2>/dev/null | wc -l)

stat_entries "$E2E_TMP/out.pcapng" >"$E2E_TMP/entries" || fail "capinfos cannot read the saved file"
entries=$(sort -n "$E2E_TMP/entries" | tail -1)
[ "${entries:-0}" -le 1 ] || fail "$entries statistics blocks for one interface: Wireshark shows no drops then"
written=$(tshark -r "$E2E_TMP/out.pcapng" -Y "tcp.port == $TLS_PORT" 2>/dev/null | wc -l)
drop=$(drop_count_sum "$E2E_TMP/out.pcapng" lo)
told=$(tshark -r "$E2E_TMP/out.pcapng" -Y frame.drop_count 2>/dev/null | wc -l)
left_out=$(sed -n 's/.*; \([0-9]*\) packet(s) left out (connections no traced library claimed).*/\1/p' "$E2E_TMP/capture.log" | tail -1)
left_out=${left_out:-0}
log "packets: $seen on the wire (dumpcap), $written saved by tshark, $drop dropped (frame.drop_count of $told packets), $left_out left out"

[ "$drop" -gt 0 ] || fail "no loss was forced: the test proves nothing"
[ "$seen" -eq $((written + drop + left_out)) ] ||
	fail "on the wire $seen != saved $written + dropped $drop + left out $left_out"
kernel_lost=$(sed -n 's/.*packets: [0-9]* written by the kernel, \([0-9]*\) lost.*/\1/p' "$E2E_TMP/capture.log")
[ "$kernel_lost" = "$drop" ] || fail "the log says $kernel_lost packets lost, the saved file $drop"
log "ok: the file tshark saved shows the loss exactly: $seen = $written + $drop + $left_out"
cd /
assert_clean
