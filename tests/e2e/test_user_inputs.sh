#!/usr/bin/env bash
# What a user gives is taken once and only with the user's rights.
# 1. Repeated PIDs: "--pid W,W,..." (1100 times) and "--pid W" repeated 400 times start and
#    stop in seconds with the probes of one "--pid W" (the same uprobe count), and more than
#    1024 distinct pids are refused.
# 2. The privileged copy (file capabilities, as the package installs it) run by a user without
#    rights of their own: a FIFO (--fifo, -w) or a control pipe reached through a root process's
#    /proc/PID/root (which CAP_SYS_PTRACE opens, the user cannot) is refused with a reason and
#    never opened; ECAPTURE_HELPER_DIR is ignored there (-v says so), but kept for root.
source "$(dirname "$0")/lib.sh"
require_root
require_tools nginx curl setcap setpriv python3 bpftool tc timeout
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
start_nginx
WORKER=$(pgrep -P "$(cat "$NGINX_PID_FILE")" -x nginx | head -n1)
[ -n "$WORKER" ] || fail "no nginx worker"

# run_pids NAME ARGS...: a capture with ARGS (perf uprobes: one link per probe, the costly way),
# its start and stop each within 30 s; sets PROBES to its uprobe count.
run_pids() {
	local name=$1 i t0 t1
	shift
	t0=$(date +%s.%N)
	ECAPTURE_NO_UPROBE_MULTI=1 "$EXTCAP" "$@" -w "$E2E_TMP/$name.pcapng" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" 9>&- &
	CAP_PID=$!
	E2E_PIDS+=("$CAP_PID")
	for i in $(seq 150); do
		grep -q 'capturing:' "$E2E_TMP/$name.err" && break
		kill -0 "$CAP_PID" 2>/dev/null || fail "$name: exited: $(tail -3 "$E2E_TMP/$name.err")"
		sleep 0.2
	done
	grep -q 'capturing:' "$E2E_TMP/$name.err" || fail "$name: not capturing after 30 s"
	t1=$(date +%s.%N)
	read -r _ PROBES <<<"$(uprobe_counts "$CAP_PID")"
	curl -sk "https://127.0.0.1:$TLS_PORT/$name" -o /dev/null
	kill -INT "$CAP_PID"
	for i in $(seq 120); do
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.25
	done
	kill -0 "$CAP_PID" 2>/dev/null && fail "$name: still running 30 s after SIGINT"
	wait "$CAP_PID" || fail "$name: failed: $(tail -3 "$E2E_TMP/$name.err")"
	log "ok: $name: capturing after $(echo "$t1 - $t0" | bc)s, $PROBES perf uprobes, stopped within $((i / 4))s"
}

run_pids once --pid "$WORKER"
ONCE=$PROBES
[ "$ONCE" -gt 0 ] || fail "no uprobes in the nginx worker"
run_pids list --pid "$(python3 -c "print(','.join(['$WORKER'] * 1100))")"
[ "$PROBES" -eq "$ONCE" ] || fail "--pid W x1100: $PROBES uprobes, one --pid W: $ONCE"
repeated=()
for i in $(seq 400); do repeated+=(--pid "$WORKER"); done
run_pids repeated "${repeated[@]}"
[ "$PROBES" -eq "$ONCE" ] || fail "--pid W repeated 400 times: $PROBES uprobes, once: $ONCE"
assert_clean

# 1025 distinct live pids: refused at the start.
for i in $(seq 1025); do sleep 300 9>&- & E2E_PIDS+=("$!"); done
many=$(IFS=,; echo "${E2E_PIDS[*]: -1025}")
rc=0
timeout 30 "$EXTCAP" --pid "$many" -w "$E2E_TMP/many.pcapng" 2>"$E2E_TMP/many.err" || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'at most 1024 processes' "$E2E_TMP/many.err" ||
	fail "1025 pids: rc $rc: $(cat "$E2E_TMP/many.err")"
log "ok: 1025 pids: $(cat "$E2E_TMP/many.err")"
for pid in "${E2E_PIDS[@]: -1025}"; do kill "$pid" 2>/dev/null || true; done

# The privileged copy, run by nobody.
PRIV=$E2E_TMP/priv/ecapturedump
mkdir -p "$E2E_TMP/priv"
chmod 755 "$E2E_TMP" "$E2E_TMP/priv"
cp "$EXTCAP" "$PRIV"
setcap cap_net_admin,cap_sys_ptrace,cap_perfmon,cap_bpf=ep "$PRIV" || fail "setcap failed"
AS_USER=(setpriv --reuid nobody --regid nogroup --clear-groups)

sleep 600 9>&- &
ROOTPROC=$!
E2E_PIDS+=("$ROOTPROC")
mkfifo -m 666 "$E2E_TMP/pub.fifo"
# Root reads the FIFO meanwhile: whatever reaches it was written through the door.
timeout 15 cat "$E2E_TMP/pub.fifo" >"$E2E_TMP/fifo.got" 9>&- &
READER=$!
DOOR=/proc/$ROOTPROC/root$E2E_TMP/pub.fifo
"${AS_USER[@]}" test -w "$DOOR" 2>/dev/null && fail "nobody can reach $DOOR: the test proves nothing"

# expect_refused NAME ARGS...: the privileged copy, as nobody, exits non-zero within 20 s and
# says the path is opened with the user's own rights.
expect_refused() {
	local name=$1 rc=0
	shift
	timeout 20 "${AS_USER[@]}" "$PRIV" "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" 9>&- || rc=$?
	[ $rc -ne 124 ] || fail "$name: hung"
	[ $rc -ne 0 ] && grep -q 'opened with your own rights' "$E2E_TMP/$name.err" ||
		fail "$name: rc $rc: $(cat "$E2E_TMP/$name.err")"
	log "ok: $name: $(cat "$E2E_TMP/$name.err")"
}
expect_refused fifo --capture --extcap-interface ecapture-tls --fifo "$DOOR"
expect_refused write -w "$DOOR" --duration 1
mkfifo -m 600 "$E2E_TMP/mine.fifo"
chown nobody "$E2E_TMP/mine.fifo"
expect_refused control-in --capture --extcap-interface ecapture-tls --fifo "$E2E_TMP/mine.fifo" \
	--extcap-control-in "$DOOR" --extcap-control-out "$E2E_TMP/mine.fifo"
expect_refused control-out --capture --extcap-interface ecapture-tls --fifo "$E2E_TMP/mine.fifo" \
	--extcap-control-out "$DOOR"
kill "$READER" 2>/dev/null || true
wait "$READER" 2>/dev/null || true
[ ! -s "$E2E_TMP/fifo.got" ] || fail "$(wc -c <"$E2E_TMP/fifo.got") bytes were written through $DOOR"
log "ok: nothing was written through $DOOR"

# ECAPTURE_HELPER_DIR: ignored in the privileged copy (AT_SECURE), kept for root.
mkdir -p "$E2E_TMP/evil"
ECAPTURE_HELPER_DIR=$E2E_TMP/evil timeout 120 "${AS_USER[@]}" "$PRIV" -v --list-targets \
	>"$E2E_TMP/env.out" 2>"$E2E_TMP/env.err" || true
grep -q 'ECAPTURE_HELPER_DIR is ignored' "$E2E_TMP/env.err" ||
	fail "the privileged copy did not say it ignores ECAPTURE_HELPER_DIR: $(grep -i helper "$E2E_TMP/env.err" | head -5)"
grep -qF "$E2E_TMP/evil" "$E2E_TMP/env.err" "$E2E_TMP/env.out" &&
	fail "the privileged copy used ECAPTURE_HELPER_DIR: $(grep -F "$E2E_TMP/evil" "$E2E_TMP/env.err" | head -3)"
log "ok: $(grep -m1 'ECAPTURE_HELPER_DIR is ignored' "$E2E_TMP/env.err")"
ECAPTURE_HELPER_DIR=$E2E_TMP/evil timeout 120 "$EXTCAP" -v --list-targets \
	>"$E2E_TMP/rootenv.out" 2>"$E2E_TMP/rootenv.err" || true
grep -q 'ECAPTURE_HELPER_DIR is ignored' "$E2E_TMP/rootenv.err" &&
	fail "root's own run ignored ECAPTURE_HELPER_DIR"
log "ok: root running the program itself keeps ECAPTURE_HELPER_DIR"
assert_clean
log "PASS"
