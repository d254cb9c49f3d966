# shellcheck shell=bash
# 6. Host-wide syscall cost: a syscall-bound process that has nothing to do with TLS
# (dd bs=1: a read and a write per byte), pinned to CPU 0, with and without ecapturedump's
# default capture (ecapture-tls, packets on every interface) running.

sc_measure() {
	for _ in $(seq "$REPEAT"); do
		taskset -c 0 dd if=/dev/zero of=/dev/null bs=1 count="$DD_COUNT" 2>&1 |
			awk '/copied/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^s/) t = $i } END { print t }'
	done | median
}

section_syscall() {
	local none with
	: >"$OUT/syscall.rows"
	none=$(sc_measure)
	printf '| no tracing | %s | - |\n' "$none" >>"$OUT/syscall.rows"
	if ec_start "syscall: default capture" -w /dev/null; then
		with=$(sc_measure)
		ec_stop
		awk -v a="$with" -v b="$none" 'BEGIN { printf "%+.1f\n", (a / b - 1) * 100 }' >"$OUT/syscall.pct"
		printf '| ecapturedump -w /dev/null (default ecapture-tls capture) | %s | %s%% |\n' "$with" \
			"$(cat "$OUT/syscall.pct")" >>"$OUT/syscall.rows"
	fi
	{
		echo "### 6. Host-wide syscall cost"
		echo
		echo "\`dd if=/dev/zero of=/dev/null bs=1 count=$DD_COUNT\` ($((DD_COUNT * 2)) syscalls) on CPU 0, median of $REPEAT."
		echo
		echo "| configuration | seconds | slower |"
		echo "|---|---|---|"
		cat "$OUT/syscall.rows"
	} >"$OUT/6-syscall.md"
}
