#!/usr/bin/env bash
# Every way a capture can end leaves nothing of ours loaded or attached: tshark's duration limit,
# SIGTERM, the reader closing the pipe, SIGKILL (tcx links die with the process), and the
# clsact fallback (filters removed on a normal stop, swept by the next run after a SIGKILL, with
# the qdisc the killed run created; two such captures at once do not disturb each other).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark capinfos bpftool tc timeout
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
start_nginx

# start_cli NAME ARGS...: ecapturedump in the background; returns once it is capturing.
start_cli() {
	local name=$1 i
	shift
	"$EXTCAP" "$@" 2>"$E2E_TMP/$name.err" &
	CLI_PID=$!
	E2E_PIDS+=("$CLI_PID")
	for i in $(seq 100); do
		grep -q 'capturing:' "$E2E_TMP/$name.err" && return 0
		kill -0 "$CLI_PID" 2>/dev/null || fail "$name: exited early: $(cat "$E2E_TMP/$name.err")"
		sleep 0.1
	done
	fail "$name: never started capturing"
}

# wait_exit PID SECONDS: the process is gone within SECONDS; sets EXIT_CODE.
wait_exit() {
	local pid=$1 secs=$2 i
	for i in $(seq $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "pid $pid still running after ${secs}s"
	EXIT_CODE=0
	wait "$pid" 2>/dev/null || EXIT_CODE=$?
}

# (grep -q on a pipe would end the writer early: with pipefail that reads as a failure)
ours_loaded() { grep -q ' name ec_' <<<"$(bpftool prog show)"; }

log "tshark with a duration limit"
timeout 60 tshark -i ecapture-tls -a duration:3 -w "$E2E_TMP/dur.pcapng" 2>"$E2E_TMP/dur.err" ||
	fail "tshark -a duration failed: $(cat "$E2E_TMP/dur.err")"
assert_clean

log "SIGTERM"
start_cli term -w "$E2E_TMP/term.pcapng"
ours_loaded || fail "no program of ours loaded during a capture: the cleanup checks would prove nothing"
assert_uprobes "$CLI_PID" "$(kernel_uprobes)"
curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/term" >/dev/null
kill -TERM "$CLI_PID"
wait_exit "$CLI_PID" 15
[ "$EXIT_CODE" -eq 0 ] || fail "exit status $EXIT_CODE after SIGTERM"
capinfos "$E2E_TMP/term.pcapng" >/dev/null || fail "the file written before SIGTERM is not valid pcapng"
assert_clean

log "the reader closes the pipe"
"$EXTCAP" -w - 2>"$E2E_TMP/pipe.err" | head -c 1 >/dev/null &
E2E_PIDS+=($!)
for i in $(seq 100); do
	pgrep -x ecapturedump >/dev/null || break
	sleep 0.1
done
pgrep -x ecapturedump >/dev/null && fail "ecapturedump kept running after its reader went away"
assert_clean

log "perf uprobes (kernels without uprobe_multi): decrypts, and SIGTERM leaves nothing"
ECAPTURE_NO_UPROBE_MULTI=1 start_cli perf -w "$E2E_TMP/perf.pcapng"
assert_uprobes "$CLI_PID" perf
curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/perf-uprobes" >/dev/null
sleep 0.5
kill -TERM "$CLI_PID"
wait_exit "$CLI_PID" 15
[ "$(tshark -r "$E2E_TMP/perf.pcapng" -Y http.request -T fields -e http.request.uri 2>/dev/null)" = /perf-uprobes ] ||
	fail "not decrypted with perf uprobes"
assert_clean

if kernel_has_tcx; then
	log "SIGKILL (tcx links go with the process)"
	start_cli kill -w "$E2E_TMP/kill.pcapng"
	kill -KILL "$CLI_PID"
	wait_exit "$CLI_PID" 5
	assert_clean
else
	# Without tcx the default capture uses clsact: its SIGKILL is the clsact case below.
	log "SIGKILL with tcx links: not on this kernel (no tcx); the clsact SIGKILL case follows"
fi

log "clsact fallback: filters present while capturing, gone after SIGTERM"
qdisc_before=$(tc qdisc show dev lo | grep -c clsact || true)
start_cli legacy --tc-legacy --netif lo -w "$E2E_TMP/legacy.pcapng"
[ -n "$(tc filter show dev lo egress)" ] || fail "--tc-legacy attached no clsact filter"
kill -TERM "$CLI_PID"
wait_exit "$CLI_PID" 15
assert_clean
[ "$(tc qdisc show dev lo | grep -c clsact || true)" -eq "$qdisc_before" ] ||
	fail "the clsact qdisc we created was left on lo"

log "clsact fallback after SIGKILL: the next run sweeps the stale filter"
start_cli legacykill --tc-legacy --netif lo -w "$E2E_TMP/legacy2.pcapng"
kill -KILL "$CLI_PID"
wait_exit "$CLI_PID" 5
[ -n "$(tc filter show dev lo egress)" ] || fail "expected a stale filter after SIGKILL"
start_cli sweep --netif lo -w "$E2E_TMP/sweep.pcapng"
grep -q 'removed 1 TC filter' "$E2E_TMP/sweep.err" || fail "the stale filter was not swept"
kill -TERM "$CLI_PID"
wait_exit "$CLI_PID" 15
assert_clean
[ "$(tc qdisc show dev lo | grep -c clsact || true)" -eq "$qdisc_before" ] ||
	fail "the clsact qdisc the killed run created was left on lo"

log "two --tc-legacy captures at once: each gets every request; stopping one leaves the other"
start_cli legA --tc-legacy --netif lo -w "$E2E_TMP/legA.pcapng"
A=$CLI_PID
start_cli legB --tc-legacy --netif lo -w "$E2E_TMP/legB.pcapng"
B=$CLI_PID
for i in $(seq 5); do
	curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/both/$i" -o /dev/null || fail "curl /both/$i"
done
kill -TERM "$A"
wait_exit "$A" 15
[ -n "$(tc filter show dev lo egress)" ] || fail "stopping one capture removed the other's filter"
for i in $(seq 5); do
	curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/after/$i" -o /dev/null || fail "curl /after/$i"
done
sleep 1
kill -TERM "$B"
wait_exit "$B" 15
assert_clean
[ "$(tc qdisc show dev lo | grep -c clsact || true)" -eq "$qdisc_before" ] ||
	fail "the clsact qdisc was left on lo after both captures stopped"
for c in legA legB; do
	tshark -r "$E2E_TMP/$c.pcapng" -Y http.request -T fields -e http.request.uri \
		>"$E2E_TMP/$c.out" 2>/dev/null || fail "tshark cannot read $c.pcapng"
	assert_each_once "$E2E_TMP/$c.out" /both/ 5
done
assert_each_once "$E2E_TMP/legB.out" /after/ 5
grep -q '^/after/' "$E2E_TMP/legA.out" && fail "the stopped capture has requests made after its stop"
log "PASS"
