# shellcheck shell=bash
# 4. Loss under load: ab over a new connection per request through the private nginx while
# ecapturedump -w out.pcapng captures; requests sent (ab's complete requests) vs requests that
# tshark decrypts from the file (with its DSBs alone) vs what ecapturedump's end-of-run log
# says it lost.

section_loss() {
	local pcap=$TMP/loss.pcapng sent failed decrypted conns reported summary
	: >"$OUT/loss.rows"
	nginx_start || return 1
	if ec_start "loss: packets -w file" --netif lo -w "$pcap"; then
		ab -n "$LOSS_N" -c 8 "https://127.0.0.1:$NGINX_PORT/index.html" >"$TMP/ab-loss.out" 2>&1 || true
		sleep 2 # the last connections' keys and packets
		ec_stop
		sent=$(awk '/^Complete requests:/ { print $3 }' "$TMP/ab-loss.out")
		failed=$(awk '/^Failed requests:/ { print $3 }' "$TMP/ab-loss.out")
		reported=$(ec_reported_lost)
		summary=$(grep -E 'lost|dropped|without keys' "$EC_ERR" | sed 's/^.*\] //; s/|/\\|/g' | paste -sd ';' -)
		nginx_stop # the reading is not timed, and needs no server
		flock -u 9 # reading the file back is no measurement: others may run meanwhile
		decrypted=$(tshark -r "$pcap" -Y 'http.request.uri == "/index.html"' 2>/dev/null | wc -l)
		conns=$(tshark -r "$pcap" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $NGINX_PORT" 2>/dev/null | wc -l)
		flock 9
		echo "${sent:-0} $decrypted $reported" >"$OUT/loss.counts"
		printf '| %s | %s | %s | %s | %s | %s |\n' "${sent:-?}" "${failed:-?}" "$conns" "$decrypted" \
			"$((${sent:-0} - decrypted))" "$reported" >>"$OUT/loss.rows"
	else
		nginx_stop
		summary="ecapturedump did not start"
	fi
	{
		echo "### 4. Loss under load"
		echo
		echo "\`ab -n $LOSS_N -c 8\` (a new TLS connection per request) while \`ecapturedump --netif lo -w out.pcapng\`"
		echo "runs; decrypted = \`tshark -r out.pcapng -Y http.request\` (tshark uses the file's DSBs only)."
		echo
		echo "| sent (ab complete) | ab failed | SYNs captured | decrypted | missing | ecapturedump reported lost |"
		echo "|---|---|---|---|---|---|"
		cat "$OUT/loss.rows"
		echo
		echo "ecapturedump's end-of-run log: ${summary:-none}"
	} >"$OUT/4-loss.md"
}
