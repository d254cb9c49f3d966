# shellcheck shell=bash
# 2. HTTPS throughput through a private nginx (TLS, a small static file): wrk over keep-alive
# connections and ab over a new connection per request, with no tracing, with ecapturedump in
# each mode and with the peer tools; requests per second and the ratio to no tracing.

tp_url() { echo "https://127.0.0.1:$NGINX_PORT/index.html"; }

# tp_measure: "KEEPALIVE_RPS NEWCONN_RPS" with whatever is attached now.
tp_measure() {
	local ka nc
	ka=$(wrk -t2 -c8 -d"${WRK_SECS}s" "$(tp_url)" 2>&1 | awk '/^Requests\/sec:/ { print $2 }')
	nc=$(ab -n "$AB_N" -c 8 "$(tp_url)" 2>&1 | awk '/^Requests per second:/ { print $4 }')
	echo "${ka:-nan} ${nc:-nan}"
}

# tp_row LABEL "KA NC"
tp_row() {
	local ka nc rka rnc
	read -r ka nc <<<"$2"
	rka=$(ratio "$ka" "$TP_KA")
	rnc=$(ratio "$nc" "$TP_NC")
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$ka" "$rka" "$nc" "$rnc" >>"$OUT/throughput.rows"
	printf '"%s" %s %s\n' "$1" "${rka/-/nan}" "${rnc/-/nan}" >>"$OUT/throughput.dat"
}

section_throughput() {
	local mode res label tool
	: >"$OUT/throughput.rows"
	: >"$OUT/throughput.dat"
	nginx_start || return 1
	read -r TP_KA TP_NC <<<"$(tp_measure)"
	tp_row "no tracing" "$TP_KA $TP_NC"
	for mode in $EC_MODES; do
		ec_mode_args "$mode"
		if ec_start "throughput: $mode" "${EC_ARGS[@]}"; then
			res=$(tp_measure)
			ec_stop
			tp_row "ecapturedump $mode" "$res"
		fi
	done
	for tool in $PEERS; do
		label=$(peer_label "$tool")
		if [ -n "${PEER_WHY[$tool]:-}" ]; then
			printf '| %s | not run: %s | - | - | - |\n' "$label" "${PEER_WHY[$tool]}" >>"$OUT/throughput.rows"
		elif peer_start "$tool" "$TMP/peer.out"; then
			res=$(tp_measure)
			peer_stop
			tp_row "$label" "$res"
		fi
	done
	nginx_stop
	{
		echo "### 2. HTTPS throughput (nginx, TLS, a ~800-byte static file)"
		echo
		echo "Keep-alive: \`wrk -t2 -c8 -d${WRK_SECS}s\`; new connection per request: \`ab -n $AB_N -c 8\`."
		echo "Client, server and tool share the 2 cores; every SSL call of both ends is probed."
		echo
		echo "| configuration | keep-alive req/s | ratio | new-conn req/s | ratio |"
		echo "|---|---|---|---|---|"
		cat "$OUT/throughput.rows"
	} >"$OUT/2-throughput.md"
}
