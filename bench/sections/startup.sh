# shellcheck shell=bash
# 5. Startup and teardown: from launching ecapturedump to its "capturing:" line, and from
# SIGINT to its exit, with no extra processes and with NPROCS sleeping processes that have
# libssl mapped (sleep with libssl preloaded).

# su_time LABEL: median over SU_REPEAT runs of (start, stop) seconds, one table row.
su_time() {
	local label=$1 t0 t1 t2 starts=() stops=()
	for _ in $(seq "$SU_REPEAT"); do
		t0=$(now)
		ec_start "startup: $label" --netif lo -w /dev/null || return 1
		t1=$(now)
		ec_stop
		t2=$(now)
		# ec_stop reads /proc before its SIGINT: a few ms of that count as teardown.
		starts+=("$(calc "$t1 - $t0")")
		stops+=("$(calc "$t2 - $t1")")
	done
	printf '| %s | %s | %s |\n' "$label" "$(printf '%s\n' "${starts[@]}" | median)" \
		"$(printf '%s\n' "${stops[@]}" | median)" >>"$OUT/startup.rows"
}

section_startup() {
	local pids=() p
	: >"$OUT/startup.rows"
	su_time "no extra processes"
	for _ in $(seq "$NPROCS"); do
		LD_PRELOAD=$LIBSSL sleep 3600 9>&- &
		pids+=($!)
	done
	sleep 2
	p=$(grep -l "$(basename "$LIBSSL")" /proc/"${pids[0]}"/maps 2>/dev/null || true)
	[ -n "$p" ] || note "startup: the sleepers do not map libssl"
	su_time "$NPROCS sleeping processes with libssl mapped"
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	{
		echo "### 5. Startup and teardown"
		echo
		echo "\`ecapturedump --netif lo -w /dev/null\`: launch → \"capturing:\" and SIGINT → exit, seconds,"
		echo "median of $SU_REPEAT (polled every 10 ms)."
		echo
		echo "| processes | start s | stop s |"
		echo "|---|---|---|"
		cat "$OUT/startup.rows"
	} >"$OUT/5-startup.md"
}
