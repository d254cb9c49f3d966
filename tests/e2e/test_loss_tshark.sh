#!/usr/bin/env bash
# Forced loss, saved through Wireshark's own capture path: tshark -i ecapture-tls -w FILE (dumpcap
# reads our FIFO and writes the file). dumpcap stops reading our stream before we stop, so the
# statistics block we write at the end never reaches the file; the blocks we write every few
# seconds while counts change do, and dumpcap keeps them as they are. Checked:
#  - the saved file has our Interface Statistics Blocks for lo (capinfos counts them: Wireshark
#    reads them; its Capture File Properties shows the last one's drops);
#  - their last one says how many packets were lost, non-zero, and exactly what is missing:
#    packets on the wire (an independent dumpcap) = saved + lost + left out.
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

requests() { # N PATH: N requests, each on a new connection
	ab -n "$1" -c 4 "https://127.0.0.1:$TLS_PORT/$2" >"$E2E_TMP/ab-$2.out" 2>&1 || fail "ab failed"
	grep -q "^Complete requests: *$1\$" "$E2E_TMP/ab-$2.out" || fail "ab: not all $1 requests completed"
}
requests "$BEFORE" before
sleep 1
kill -STOP "$CAP_PID"
requests "$DURING" during # far more than 256 KiB of events: the ring fills, the kernel drops
kill -CONT "$CAP_PID"
sleep 1
requests "$AFTER" after
# Held connections decided (3 s), then a statistics block with the final counts (every 2 s).
sleep 8
stop_tshark
sleep 0.5
kill -INT "$DUMPCAP_PID"
wait "$DUMPCAP_PID" || true

python3 "$HERE/isb_stats.py" "$E2E_TMP/ref.pcapng" >"$E2E_TMP/ref-isb.out"
IFS=$'\t' read -r _ _ ref_drop _ _ <"$E2E_TMP/ref-isb.out" || fail "dumpcap wrote no statistics"
[ "$ref_drop" = 0 ] || [ "$ref_drop" = - ] || fail "dumpcap itself dropped $ref_drop packets: no reference"
seen=$(tshark -r "$E2E_TMP/ref.pcapng" 2>/dev/null | wc -l)

capinfos -I "$E2E_TMP/out.pcapng" >"$E2E_TMP/capinfos.out" 2>&1 || fail "capinfos cannot read the saved file"
entries=$(sed -n 's/.*Number of stat entries = \([0-9]*\).*/\1/p' "$E2E_TMP/capinfos.out" | head -1)
[ "${entries:-0}" -ge 1 ] || fail "Wireshark reads no statistics in the saved file: $(cat "$E2E_TMP/capinfos.out")"
python3 "$HERE/isb_stats.py" --all "$E2E_TMP/out.pcapng" >"$E2E_TMP/isb-all.out"
grep -qv $'^lo\t.*\tecapturedump ' "$E2E_TMP/isb-all.out" &&
	fail "statistics blocks not ours in the saved file: $(grep -v 'ecapturedump ' "$E2E_TMP/isb-all.out")"
python3 "$HERE/isb_stats.py" "$E2E_TMP/out.pcapng" >"$E2E_TMP/isb.out"
cat "$E2E_TMP/isb.out" >&2
IFS=$'\t' read -r name recv drop osdrop comment <"$E2E_TMP/isb.out" || fail "no Interface Statistics Block in the saved file"
[ "$name" = lo ] || fail "the statistics are for $name, not lo"
written=$(tshark -r "$E2E_TMP/out.pcapng" -Y "tcp.port == $TLS_PORT" 2>/dev/null | wc -l)
left_out=$(sed -n 's/.*; \([0-9]*\) packet(s) left out (connections no traced library claimed).*/\1/p' <<<"$comment")
left_out=${left_out:-0}
log "packets: $seen on the wire (dumpcap), $written saved by tshark, $drop reported lost ($entries statistics blocks), $left_out left out; isb_ifrecv $recv"

[ "$drop" -gt 0 ] || fail "no loss was forced: the test proves nothing"
[ "$seen" -eq $((written + drop + left_out)) ] ||
	fail "on the wire $seen != saved $written + lost $drop + left out $left_out"
[ "$recv" -eq "$seen" ] || fail "isb_ifrecv $recv != $seen packets on the wire"
[ "$osdrop" -eq "$drop" ] || fail "isb_osdrop $osdrop != isb_ifdrop $drop"
kernel_lost=$(sed -n 's/.*packets: [0-9]* written by the kernel, \([0-9]*\) lost.*/\1/p' "$E2E_TMP/capture.log")
[ "$kernel_lost" = "$drop" ] || fail "the log says $kernel_lost packets lost, the saved file $drop"
log "ok: the file tshark saved reports the loss exactly: $seen = $written + $drop + $left_out"
cd /
assert_clean
