# shellcheck shell=bash
# The report of bench/run.sh: the tables on stdout, bench/RESULTS.md and bench/results.png.

machine() {
	local commit
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
	echo "| | |"
	echo "|---|---|"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo "| commit | $commit ($(git log -1 --format=%s HEAD 2>/dev/null | cut -c1-60)…) |"
	echo "| kernel | $(uname -r) |"
	echo "| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores |"
	echo "| load average | $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine skews the figures) |"
	echo "| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |"
	echo "| libssl | $LIBSSL ($(openssl version | cut -d' ' -f1-2)) |"
	echo "| tools | $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), ab $(ab -V | awk '/Version/ { print $5 }'), $(bpftrace --version), $(tshark -v 2>/dev/null | head -1) |"
}

# plot PNG: three panels from the sections' data files (those that exist).
plot() {
	command -v gnuplot >/dev/null || {
		note "no gnuplot: no plot"
		return 0
	}
	gnuplot -e "dir='$OUT'; out='$1'" bench/plot.gp 2>"$TMP/gnuplot.err" ||
		note "gnuplot failed: $(tail -2 "$TMP/gnuplot.err")"
}

write_results() {
	local f
	{
		echo "# Benchmark results"
		echo
		echo "Written by \`bench/run.sh\` (as root: \`BUILD_DIR=build bench/run.sh\`; \`QUICK=1\` for a"
		echo "short run). Figures of one run on one machine: compare rows of the same run, not runs."
		echo "Settings: ROUNDS=$ROUNDS BYTES=$BYTES REPEAT=$REPEAT WRK_SECS=$WRK_SECS AB_N=$AB_N"
		echo "LAT_N=$LAT_N LAT_MS=$LAT_MS LOSS_N=$LOSS_N NPROCS=$NPROCS SU_REPEAT=$SU_REPEAT DD_COUNT=$DD_COUNT."
		echo
		echo "## Machine"
		echo
		machine
		echo
		echo "## Results"
		for f in "$OUT"/[0-9]-*.md; do
			echo
			cat "$f"
		done
		if [ ${#PEER_WHY[@]} -gt 0 ]; then
			echo
			echo "## Not run"
			echo
			for f in "${!PEER_WHY[@]}"; do
				echo "- $f: ${PEER_WHY[$f]}"
			done
		fi
		if [ -n "${BCC_KERNEL:-}" ]; then
			echo
			echo "sslsniff ran with bcc compiling against Debian's $BCC_HEADERS (none exist for $(uname -r)) and one min() in its program replaced by a conditional."
		fi
		echo
		echo "![per-call ratio, throughput ratio and latency](results.png)"
	} >"$TMP/RESULTS.md"
	cat "$TMP/RESULTS.md"
	cp "$TMP/RESULTS.md" bench/RESULTS.md
	plot bench/results.png
	note "wrote bench/RESULTS.md and bench/results.png"
}
