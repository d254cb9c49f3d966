# shellcheck shell=bash
# 8. The targets of issue 10 ("fast, lossless, proven against peers"), checked against the
# figures of this run: met, or missed by how much. Built from what the sections left in $OUT;
# a target whose section did not run says so.

# tg_row TARGET MEASURED VERDICT
tg_row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3" >>"$OUT/targets.rows"; }

# tg_cmp TARGET VALUE OP LIMIT UNIT: OP is "<" or "<="; VALUE "" when not measured.
tg_cmp() {
	local target=$1 v=$2 op=$3 lim=$4 unit=$5 verdict
	if [ -z "$v" ] || [ "$v" = - ]; then
		tg_row "$target" "not measured" -
		return 0
	fi
	verdict=$(awk -v v="$v" -v op="$op" -v l="$lim" -v u="$unit" 'BEGIN {
		ok = (op == "<") ? (v < l) : (v <= l)
		if (ok) print "met"; else printf "missed by %.2f%s\n", v - l, u }')
	tg_row "$target" "$v$unit" "$verdict"
}

tg_p99() { awk -v t="$1" '$1 == t { print $2 }' "$OUT/latency.p99" 2>/dev/null; }
tg_ratio() { awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$OUT/percall.ratios" 2>/dev/null; }

section_targets() {
	local sent dec rep lo
	: >"$OUT/targets.rows"
	tg_cmp "packets mode per-call ratio to the entry+return floor < 1.0" \
		"$(tg_ratio "ecapturedump packets")" "<" 1.0 ""
	tg_cmp "plaintext mode per-call ratio <= 1.1" "$(tg_ratio "ecapturedump plaintext")" "<=" 1.1 ""
	tg_cmp "text output p99 <= 10 ms" "$(tg_p99 text)" "<=" 10 " ms"
	tg_cmp "\`-w -\` block p99 <= 10 ms" "$(tg_p99 pcapng)" "<=" 10 " ms"
	for t in fifo extcap; do
		lo=$(tg_p99 "lo-$t")
		if [ -n "$lo" ]; then
			tg_cmp "tshark ($t) p99 <= tshark -i lo p99 of the same run ($lo ms)" "$(tg_p99 "$t")" \
				"<=" "$lo" " ms"
		fi
	done
	if [ -s "$OUT/loss.counts" ]; then
		read -r sent dec rep <"$OUT/loss.counts"
		tg_row "every new connection decrypted under ab ($sent sent)" "$dec decrypted" \
			"$([ "$dec" -ge "$sent" ] && echo met || echo "missed by $((sent - dec))")"
		tg_row "loss reported exactly" "$rep reported, $((sent - dec)) missing" \
			"$([ "$rep" -eq $((sent - dec)) ] && echo met || echo "missed: $((sent - dec - rep)) not reported")"
	else
		tg_row "every new connection decrypted under ab" "not measured" -
	fi
	tg_cmp "unrelated syscall-bound process <= 2% slower" \
		"$(cat "$OUT/syscall.pct" 2>/dev/null)" "<=" 2 "%"
	{
		echo "### 8. Issue 10's targets in this run"
		echo
		echo "| target | measured | verdict |"
		echo "|---|---|---|"
		cat "$OUT/targets.rows"
	} >"$OUT/8-targets.md"
}
