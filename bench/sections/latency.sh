# shellcheck shell=bash
# 3. Live latency: https_pinger sends one request every LAT_MS ms over one keep-alive HTTPS
# connection to the private nginx, each with a unique marker in its path, and notes the send
# time; a reader notes when each marker arrives (stamp, CLOCK_REALTIME). Per configuration:
# p50, p99 and max of arrival - send, and how many markers arrived.

# lat_stats LABEL SENT ARRIVED: one table row (first arrival of each marker), a plot point, and
# its p99 in latency.p99 under the tag of ARRIVED (arr-TAG: TAG; arr-lo-TAG: lo-TAG).
lat_stats() {
	local tag
	tag=$(basename "$3")
	case $tag in arr-lo-*) tag=lo-${tag#arr-lo-} ;; *) tag=${tag#arr-} ;; esac
	awk -v label="$1" -v dat="$OUT/latency.dat" -v pre="$LAT_PREFIX" -v tag="$tag" \
		-v p99s="$OUT/latency.p99" '
		FNR == NR { if (index($2, pre) == 1) { sent[$2] = $1; n++ } next }
		($2 in sent) && !($2 in seen) { seen[$2] = 1; d[++m] = ($1 - sent[$2]) * 1000 }
		function pct(p,  i) { i = int(m * p + 0.5); return d[i < 1 ? 1 : i] }
		END {
			if (m == 0) { printf "| %s | - | - | - | 0/%d |\n", label, n; exit }
			asort(d)
			printf "| %s | %.1f | %.1f | %.1f | %d/%d |\n", label, pct(0.5), pct(0.99), d[m], m, n
			printf "\"%s\" %.2f %.2f\n", label, pct(0.5), pct(0.99) >>dat
			printf "%s %.1f\n", tag, pct(0.99) >>p99s
		}' "$2" "$3" >>"$OUT/latency.rows"
}

lat_skip() { printf '| %s | not run: %s | - | - | - |\n' "$1" "$2" >>"$OUT/latency.rows"; }

# lat_ping TAG [UDP_PORT]: the client's run, send times into $TMP/sent-TAG.
lat_ping() {
	"$BIN/https_pinger" "$NGINX_PORT" "$LAT_N" "$LAT_MS" "$LAT_PREFIX$1-" ${2:+"$2"} \
		>"$TMP/sent-$1" 9>&-
	sleep 1 # let the last lines through before the reader stops
}

# lat_ready FILE: until a fresh connection's request shows up in the stamped FILE (the capture
# is attached and its reader reads). Fails after 60 s.
lat_ready() {
	local i
	for i in $(seq 120); do
		curl -sk "https://127.0.0.1:$NGINX_PORT/${LAT_PREFIX}ready-$i" -o /dev/null || true
		sleep 0.5
		grep -q "${LAT_PREFIX}ready-" "$1" 2>/dev/null && return 0
	done
	note "latency: the reader never saw a request ($1)"
	return 1
}

# lat_ec TAG LABEL READER ARGS...: ecapturedump ARGS writing to a FIFO read by READER: stamp
# "lines" or "pcapng", or "tshark" (tshark -r - decrypting with the DSBs, then stamp).
lat_ec() {
	local tag=$1 label=$2 reader=$3 rpid
	shift 3
	rm -f "$TMP/lat.fifo"
	mkfifo "$TMP/lat.fifo"
	case $reader in
	tshark)
		tshark -r - -l -Y http.request -T fields -e http.request.uri <"$TMP/lat.fifo" \
			2>/dev/null 9>&- > >("$BIN/stamp" lines "$LAT_PREFIX" >"$TMP/arr-$tag") &
		;;
	*) "$BIN/stamp" "$reader" "$LAT_PREFIX" <"$TMP/lat.fifo" >"$TMP/arr-$tag" 9>&- & ;;
	esac
	rpid=$!
	if EC_OUT=$TMP/lat.fifo ec_start "latency: $tag" "$@"; then
		lat_ready "$TMP/arr-$tag" && lat_ping "$tag" &&
			lat_stats "$label" "$TMP/sent-$tag" "$TMP/arr-$tag"
		ec_stop
	else
		lat_skip "$label" "ecapturedump did not start"
	fi
	wait "$rpid" || true
	sleep 0.2 # stamp's last lines
}

# lat_tshark TAG LABEL IFACE [EC_ARGS...]: tshark -i IFACE -l decrypting with the DSBs, and a
# plain tshark -i lo on the same requests (each has a UDP twin sent at the same moment). IFACE
# is a FIFO that ecapturedump EC_ARGS writes (dumpcap reads it, as for an extcap), or the
# installed extcap interface.
lat_tshark() {
	local tag=$1 label=$2 iface=$3 udp tpid lpid ok=0
	shift 3
	udp=$(free_port 39000)
	tshark -i lo -l -f "udp port $udp" -o data.show_as_text:TRUE -T fields -e data.text \
		2>"$TMP/lo.err" 9>&- > >("$BIN/stamp" lines "$LAT_PREFIX" >"$TMP/arr-lo-$tag") &
	lpid=$!
	tshark -i "$iface" -l -Y http.request -T fields -e http.request.uri 2>"$TMP/ts.err" 9>&- \
		> >("$BIN/stamp" lines "$LAT_PREFIX" >"$TMP/arr-$tag") &
	tpid=$!
	if wait_for "$TMP/lo.err" "Capturing on" 30; then
		if [ $# -eq 0 ]; then
			ok=1
		elif ec_start "latency: $tag" "$@"; then
			ok=1
		fi
	fi
	if [ "$ok" = 1 ] && lat_ready "$TMP/arr-$tag"; then
		lat_ping "$tag" "$udp"
		lat_stats "$label" "$TMP/sent-$tag" "$TMP/arr-$tag"
		lat_stats "tshark -i lo -l alongside ($tag; UDP twins of its requests)" \
			"$TMP/sent-$tag" "$TMP/arr-lo-$tag"
	else
		lat_skip "$label" "no capture ($(tail -1 "$TMP/ts.err"))"
	fi
	[ $# -eq 0 ] || ec_stop
	kill -INT "$tpid" "$lpid" 2>/dev/null || true
	wait "$tpid" "$lpid" || true
	sleep 0.2
}

# lat_peer TOOL: the peer tool's own text output, stamped as it comes.
lat_peer() {
	local label
	label="$(peer_label "$1") text output"
	if [ -n "${PEER_WHY[$1]:-}" ]; then
		lat_skip "$label" "${PEER_WHY[$1]}"
	elif peer_start "$1" "$TMP/peer.out" "$TMP/arr-$1"; then
		lat_ping "$1"
		peer_stop
		sleep 0.2
		lat_stats "$label" "$TMP/sent-$1" "$TMP/arr-$1"
	else
		lat_skip "$label" "did not start"
	fi
}

section_latency() {
	local extcap_note tool
	: >"$OUT/latency.rows"
	: >"$OUT/latency.dat"
	: >"$OUT/latency.p99"
	nginx_start || return 1
	lat_ec text "ecapturedump text output (stdout pipe)" lines
	lat_ec pcapng "ecapturedump -m plaintext -w - (pcapng block reader)" pcapng -m plaintext -w -
	lat_ec tsr "ecapturedump -w - → tshark -r - -l (packets, DSB-decrypted)" tshark --netif lo -w -
	rm -f "$TMP/lat.fifo"
	mkfifo "$TMP/lat.fifo"
	lat_tshark fifo "ecapturedump -w FIFO → tshark -i FIFO -l (dumpcap chain)" "$TMP/lat.fifo" \
		--netif lo -w "$TMP/lat.fifo"
	if tshark -D 2>/dev/null | grep -q ecapture-tls; then
		if cmp -s "$EC" "$EXTCAP_BIN"; then
			extcap_note="The installed extcap is this build."
		else
			extcap_note="The installed extcap ($EXTCAP_BIN) is not this build's binary: its row measures the installed one."
		fi
		lat_tshark extcap "tshark -i ecapture-tls -l (installed extcap)" ecapture-tls
	else
		extcap_note="No ecapture-tls interface in tshark -D (extcap not installed): its row is skipped."
		lat_skip "tshark -i ecapture-tls -l" "extcap not installed"
	fi
	for tool in $PEERS; do
		lat_peer "$tool"
	done
	nginx_stop
	{
		echo "### 3. Live latency (request sent → its line at the reader)"
		echo
		echo "$LAT_N requests, one every $LAT_MS ms, on one keep-alive HTTPS connection (after 3"
		echo "warm-up requests); CLOCK_REALTIME at send vs at arrival of the line or pcapng block at"
		echo "the reader. Milliseconds. Each tshark row is paired with a plain \`tshark -i lo -l\`"
		echo "capture running at the same time. $extcap_note"
		echo
		echo "| path | p50 ms | p99 ms | max ms | arrived |"
		echo "|---|---|---|---|---|"
		cat "$OUT/latency.rows"
	} >"$OUT/3-latency.md"
}
