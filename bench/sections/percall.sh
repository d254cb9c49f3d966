# shellcheck shell=bash
# 1. Per-call cost: microseconds per TLS round (SSL_write + SSL_read on each end, BYTES bytes,
# over TCP loopback; tls_roundtrip pinned to CPU 0, the tool gets the other), with no tracing,
# with empty probes (the floors), with ecapturedump in each mode and with peer tools. The ratio
# is the extra cost over the extra cost of the empty entry+return perf uprobes on the same
# functions: (t - t_none) / (t_floor - t_none).

percall_measure() {
	for _ in $(seq "$REPEAT"); do
		taskset -c 0 "$BIN/tls_roundtrip" "$ROUNDS" "$BYTES"
	done | median
}

# percall_row LABEL US: a table row and a plot point.
percall_row() {
	local extra r
	extra=$(calc "$2 - $PC_NONE")
	r=$(ratio "$extra" "$PC_FLOOR_EXTRA")
	printf '| %s | %s | %s | %s |\n' "$1" "$2" "$extra" "$r" >>"$OUT/percall.rows"
	[ "$r" = - ] || printf '"%s" %s\n' "$1" "$r" >>"$OUT/percall.dat"
	printf '%s\t%s\n' "$1" "$r" >>"$OUT/percall.ratios"
}

# percall_floor LABEL ARGS...: uprobe_floor with ARGS while measuring; prints the time.
percall_floor() {
	local t
	"$BIN/uprobe_floor" "$@" "$LIBSSL" >"$TMP/floor.out" 2>&1 9>&- &
	local pid=$!
	wait_for "$TMP/floor.out" ready 30 || {
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" || true
		return 1
	}
	t=$(percall_measure)
	kill -INT "$pid"
	wait "$pid" || true
	echo "$t"
}

section_percall() {
	local t none2 label mode tool
	: >"$OUT/percall.rows"
	: >"$OUT/percall.dat"
	: >"$OUT/percall.ratios"
	PC_NONE=$(percall_measure)
	PC_FLOOR=$(percall_floor)
	PC_FLOOR_EXTRA=$(calc "$PC_FLOOR - $PC_NONE")
	printf '| no tracing | %s | - | - |\n' "$PC_NONE" >>"$OUT/percall.rows"
	percall_row "empty entry+return perf uprobes (floor)" "$PC_FLOOR"
	t=$(percall_floor --multi) && percall_row "empty entry+return uprobe_multi" "$t"
	t=$(percall_floor --entry-only) && percall_row "empty entry-only perf uprobes" "$t"
	t=$(percall_floor --multi --entry-only) && percall_row "empty entry-only uprobe_multi" "$t"

	for mode in $EC_MODES; do
		ec_mode_args "$mode"
		if ec_start "per-call: $mode" "${EC_ARGS[@]}"; then
			t=$(percall_measure)
			ec_stop
			percall_row "ecapturedump $mode" "$t"
		else
			printf '| ecapturedump %s | failed to start | - | - |\n' "$mode" >>"$OUT/percall.rows"
		fi
	done
	for tool in $PEERS; do
		label=$(peer_label "$tool")
		if [ -n "${PEER_WHY[$tool]:-}" ]; then
			printf '| %s | not run: %s | - | - |\n' "$label" "${PEER_WHY[$tool]}" >>"$OUT/percall.rows"
		elif peer_start "$tool" "$TMP/peer.out"; then
			t=$(percall_measure)
			peer_stop
			percall_row "$label" "$t"
		else
			printf '| %s | failed to start | - | - |\n' "$label" >>"$OUT/percall.rows"
		fi
	done
	# The machine drifts: the baseline again at the end, to show by how much.
	none2=$(percall_measure)

	{
		echo "### 1. Per-call cost vs the uprobe floor"
		echo
		echo "One round = SSL_write + SSL_read on each end ($BYTES bytes, TCP loopback), median of"
		echo "$REPEAT runs of $ROUNDS rounds. Ratio = extra cost over the extra cost of empty"
		echo "entry+return perf uprobes on SSL_read/SSL_write(_ex): < 1 is cheaper than the naive floor."
		echo
		echo "| configuration | us/round | +us over none | ratio to floor |"
		echo "|---|---|---|---|"
		cat "$OUT/percall.rows"
		echo
		echo "No tracing measured again at the end: $none2 us/round (drift of the machine)."
	} >"$OUT/1-percall.md"
}
