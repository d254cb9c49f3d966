#!/usr/bin/env bash
# The toolbar's control pipes, driven as Wireshark's GUI drives them (control_pipe.py): the
# extcap runs as Wireshark runs it (--capture --fifo with --extcap-control-in/out), the FIFO is
# read by tshark. Two long-lived HTTPS clients (python, the system's OpenSSL) make a new
# connection every 0.3 s, /a-N and /b-N. Then, without a restart:
#  - both appear decrypted; the status bar messages count keys and files;
#  - the PID filter set to client A: B's connections stop appearing, A's go on;
#  - a malformed frame, a bad PID and a PID that does not exist each get an error back, the
#    field is put back, the filter is unchanged and the capture goes on;
#  - the filter cleared: B's connections appear again; the user filter set to a user that runs
#    nothing: neither appears; cleared: both again;
#  - Reload targets traces a library copy a process mapped while the filter left it out;
#  - the log window got the log.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark nginx curl python3
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
HERE=$(dirname "$0")
start_nginx

python3 -u "$HERE/https_loop.py" "$TLS_PORT" a 0.3 >"$E2E_TMP/client-a.out" 2>&1 9>&- &
PID_A=$!
E2E_PIDS+=("$PID_A")
python3 -u "$HERE/https_loop.py" "$TLS_PORT" b 0.3 >"$E2E_TMP/client-b.out" 2>&1 9>&- &
PID_B=$!
E2E_PIDS+=("$PID_B")

F=$E2E_TMP/capture.fifo CI=$E2E_TMP/control-in CO=$E2E_TMP/control-out CMD=$E2E_TMP/commands
mkfifo "$F" "$CI" "$CO" "$CMD"
RECV=$E2E_TMP/received.out
: >"$RECV"
python3 -u "$HERE/control_pipe.py" "$CI" "$CO" "$RECV" "$CMD" 2>"$E2E_TMP/control_pipe.err" 9>&- &
CTL_PID=$!
E2E_PIDS+=("$CTL_PID")
tshark -i "$F" -l -Y http.request -T fields -e http.request.uri \
	>"$E2E_TMP/uris.out" 2>"$E2E_TMP/tshark.err" 9>&- &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")
"$EXTCAP" --capture --extcap-interface ecapture-tls --fifo "$F" --extcap-control-in "$CI" \
	--extcap-control-out "$CO" --netif lo --log-level info --log-file "$E2E_TMP/capture.log" \
	2>"$E2E_TMP/capture.err" 9>&- &
CAP_PID=$!
E2E_PIDS+=("$CAP_PID")

send() { printf '%s\n' "$*" >"$CMD"; }
count() { grep -c "^/$1-" "$E2E_TMP/uris.out" || true; }
# received NUM CMD PATTERN: frames for control NUM with command CMD whose payload matches
received() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n && $2 == c { print $3 }' "$RECV" | grep -c -- "$3" || true; }
# wait_more WHAT N TIMEOUT: until more than N of WHAT's requests were decrypted
wait_more() {
	local i
	for i in $(seq $(($3 * 2))); do
		[ "$(count "$1")" -gt "$2" ] && return 0
		kill -0 "$CAP_PID" 2>/dev/null || fail "ecapturedump exited: $(cat "$E2E_TMP/capture.err")"
		sleep 0.5
	done
	fail "no new /$1 request decrypted in $3 s (still $2)"
}
# assert_still WHAT N SECONDS: none of WHAT's requests is decrypted for SECONDS
assert_still() {
	sleep "$3"
	[ "$(count "$1")" -eq "$2" ] || fail "/$1 requests still decrypted: $(count "$1") after $2"
}

wait_for_lines "$E2E_TMP/capture.log" 'capturing:' 1 60 || fail "ecapturedump never started capturing"
wait_more a 0 30
wait_more b 0 30
log "ok: both clients decrypted (a: $(count a), b: $(count b)) before any filter"

# Status bar: about once a second, with the counters.
wait_for_lines "$RECV" $'^0\t6\teCapture: [1-9][0-9]* files traced, [1-9]' 1 10 ||
	fail "no status bar message with files and processes traced: $(tail -3 "$RECV")"
[ "$(received 0 6 ' [1-9][0-9]* keys')" -gt 0 ] || fail "no status with keys counted"
log "ok: status: $(awk -F'\t' '$2 == 6' "$RECV" | tail -1 | cut -f3)"
[ "$(received 4 2 'capturing:')" -gt 0 ] || fail "the log window did not get the log"
log "ok: the log window got the log"

# PID filter: only client A.
send set 1 "$PID_A"
wait_for_lines "$E2E_TMP/capture.log" "toolbar: now tracing processes $PID_A" 1 10 ||
	fail "the PID filter was not taken"
sleep 4 # connections in flight at the change, and those held for their keys (3 s), settle
na=$(count a) nb=$(count b)
wait_more a "$na" 15
assert_still b "$nb" 4
log "ok: PID filter $PID_A: a goes on ($(count a)), b stopped at $nb"

# Bad input: each refused with an error, the field put back, the filter unchanged.
errors=$(received 0 9 .)
send raw 58595a
send set 1 "1,abc"
send set 1 999999999
for i in $(seq 20); do
	[ "$(received 0 9 .)" -ge $((errors + 3)) ] && break
	sleep 0.5
done
[ "$(received 0 9 'malformed control message')" -ge 1 ] || fail "no error for a malformed frame"
[ "$(received 0 9 'invalid process ID "abc"')" -ge 1 ] || fail "no error for a bad PID"
[ "$(received 0 9 'process 999999999 does not exist')" -ge 1 ] || fail "no error for a missing PID"
[ "$(received 1 1 "^$PID_A\$")" -ge 2 ] || fail "the PID field was not put back to $PID_A"
[ "$(received 0 8 .)" -ge 1 ] || fail "no warning dialog (command 8) sent for the warnings logged"
na=$(count a) nb=$(count b)
wait_more a "$na" 15
assert_still b "$nb" 3
log "ok: bad input refused with errors, filter unchanged, capture going on"

# Reload targets (a button: set without payload). Client C starts while the filter leaves it out,
# on its own copy of libssl: that mapping was not followed (the probes do not speak for processes
# the filter leaves out). With the filter on C alone (nginx, whose keys would decrypt anything,
# left out too), C's connections are not decrypted until Reload finds the copy.
mkdir "$E2E_TMP/lib"
cp /usr/lib/x86_64-linux-gnu/libssl.so.3 "$E2E_TMP/lib/"
LD_LIBRARY_PATH=$E2E_TMP/lib python3 -u "$HERE/https_loop.py" "$TLS_PORT" c 0.3 \
	>"$E2E_TMP/client-c.out" 2>&1 9>&- &
PID_C=$!
E2E_PIDS+=("$PID_C")
wait_for_lines "$E2E_TMP/client-c.out" '^/c-' 3 20 || fail "client c makes no requests"
grep -q "$E2E_TMP/lib/libssl.so.3" "/proc/$PID_C/maps" || fail "client c does not use the copy"
send set 1 "$PID_C"
wait_for_lines "$E2E_TMP/capture.log" "toolbar: now tracing processes $PID_C" 1 10 ||
	fail "the PID filter was not taken"
assert_still c 0 5
send set 3
wait_for_lines "$RECV" $'^0\t6\teCapture: reload done, [1-9][0-9]* new file' 1 30 ||
	fail "Reload targets traced nothing new: $(grep -a 'reload' "$E2E_TMP/capture.log")"
wait_more c 0 20
log "ok: Reload targets: $(grep -a 'reload: ' "$E2E_TMP/capture.log" | tail -1 | cut -d' ' -f4-); c decrypted ($(count c))"

# Filter cleared: B again, same process, no restart.
send set 1 ""
nb=$(count b)
wait_more b "$nb" 20
log "ok: PID filter cleared: b decrypted again ($(count b))"

# User filter: a user that runs nothing here (not nobody: nginx's workers run as nobody, and the
# server's keys decrypt a connection too), then cleared.
send set 2 4242
wait_for_lines "$E2E_TMP/capture.log" 'toolbar: now tracing the processes of user' 1 10 ||
	fail "the user filter was not taken"
sleep 4
na=$(count a) nb=$(count b)
assert_still a "$na" 3
[ "$(count b)" -eq "$nb" ] || fail "/b requests decrypted under a user filter of uid 4242"
send set 2 ""
wait_more a "$na" 20
wait_more b "$nb" 20
log "ok: user filter uid 4242: nothing; cleared: both again"

send quit
kill -TERM "$CAP_PID"
wait "$CAP_PID" || fail "ecapturedump exited with status $?"
for i in $(seq 20); do kill -0 "$TSHARK_PID" 2>/dev/null || break; sleep 0.5; done
grep -q 'Error' "$E2E_TMP/tshark.err" && fail "tshark: $(cat "$E2E_TMP/tshark.err")"
kill "$PID_A" "$PID_B" "$PID_C" 2>/dev/null || true
assert_clean

# The audit interfaces have the same toolbar: the status bar, the PID filter, and Reload answers
# that there is nothing to reload (their programs are found by path).
F=$E2E_TMP/bash.fifo CI=$E2E_TMP/bash-in CO=$E2E_TMP/bash-out CMD=$E2E_TMP/bash-commands
RECV=$E2E_TMP/bash-received.out
mkfifo "$F" "$CI" "$CO" "$CMD"
: >"$RECV"
python3 -u "$HERE/control_pipe.py" "$CI" "$CO" "$RECV" "$CMD" 2>"$E2E_TMP/bash-pipe.err" 9>&- &
E2E_PIDS+=($!)
cat "$F" >/dev/null 9>&- &
E2E_PIDS+=($!)
"$EXTCAP" --capture --extcap-interface ecapture-bash --fifo "$F" --extcap-control-in "$CI" \
	--extcap-control-out "$CO" --log-file "$E2E_TMP/bash-capture.log" 2>"$E2E_TMP/bash.err" 9>&- &
CAP_PID=$!
E2E_PIDS+=("$CAP_PID")
wait_for_lines "$E2E_TMP/bash-capture.log" 'capturing:' 1 60 || fail "ecapture-bash never started capturing"
wait_for_lines "$RECV" $'^0\t6\teCapture: [1-9][0-9]* files traced' 1 10 ||
	fail "ecapture-bash: no status bar message: $(tail -3 "$RECV")"
send set 1 "$$"
wait_for_lines "$E2E_TMP/bash-capture.log" "toolbar: now tracing processes $$" 1 10 ||
	fail "ecapture-bash: the PID filter was not taken"
send set 3
wait_for_lines "$RECV" $'^0\t7\t.*nothing to reload' 1 10 ||
	fail "ecapture-bash: Reload got no answer: $(tail -3 "$RECV")"
send quit
kill -TERM "$CAP_PID"
wait "$CAP_PID" || fail "ecapturedump (bash) exited with status $?"
assert_clean
log "ok: ecapture-bash: status, PID filter and Reload's answer"
log "ok: control pipes drive the capture without a restart"
