#!/usr/bin/env bash
# A traced process chooses its own name and arguments, and the paths of its libraries: a curl
# run through a symbolic link named with ESC, C1 CSI as UTF-8 (U+009B) and U+202E (RIGHT-TO-LEFT
# OVERRIDE), with a raw 0x9b byte in an argument, and a libssl copy in a directory named like
# that. None of these bytes reaches the user raw: --list-targets, the log (-v), the text output,
# the pcapng comments, and tshark -V / -T fields with the plugin (ecapture.comm, ecapture.cmdline,
# frame.comment) show them escaped (include/ecapture/escape.h).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl python3
require_installed_extcap
require_installed_plugin
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
CHECK="python3 $(dirname "$0")/no_controls.py"
HOSTILE=$'\x1b[31m\xc2\x9b\xe2\x80\xae'
start_nginx
URL="https://127.0.0.1:$TLS_PORT"

# A curl whose comm and argv[0] hold the hostile bytes; its -o argument a raw 0x9b.
ln -s "$(command -v curl)" "$E2E_TMP/cu${HOSTILE}rl"
EVIL_CURL="$E2E_TMP/cu${HOSTILE}rl"
evil_requests() {
	local i
	for i in $(seq 3); do
		"$EVIL_CURL" -sk --http1.1 "$URL/$1/$i" -o "$E2E_TMP/out"$'\x9b\x1b]0;t\x07' ||
			fail "the renamed curl failed"
	done
}

# start_capture NAME ARGS...: ecapturedump in the background until it says it is capturing.
start_capture() {
	local name=$1 i
	shift
	"$EXTCAP" -v "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" 9>&- &
	CAP_PID=$!
	E2E_PIDS+=("$CAP_PID")
	for i in $(seq 150); do
		grep -q 'capturing:' "$E2E_TMP/$name.err" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || fail "ecapturedump exited: $(tail -5 "$E2E_TMP/$name.err")"
		sleep 0.2
	done
	fail "ecapturedump never started capturing"
}
stop_capture() {
	sleep 1
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || fail "ecapturedump failed: $(tail -5 "$E2E_TMP/$1.err")"
}

log "--list-targets with a libssl copy in a directory named with the bytes"
SYS=$(realpath "$(ldd "$(command -v openssl)" | awk '$1 ~ /^libssl\.so/ { print $3 }')")
LIBDIR="$E2E_TMP/lib${HOSTILE}"$'\x9b'
mkdir -p "$LIBDIR"
cp "$SYS" "$LIBDIR/"
make_test_cert
LD_LIBRARY_PATH=$LIBDIR openssl s_server -quiet -accept "127.0.0.1:$(free_port)" \
	-cert "$E2E_TMP/cert.pem" -key "$E2E_TMP/key.pem" </dev/null >/dev/null 2>&1 &
E2E_PIDS+=("$!")
for i in $(seq 50); do
	grep -qF "$LIBDIR" "/proc/$!/maps" 2>/dev/null && break
	sleep 0.1
done
timeout 60 "$EXTCAP" --list-targets >"$E2E_TMP/list.out" 2>"$E2E_TMP/list.err" ||
	fail "--list-targets failed: $(cat "$E2E_TMP/list.err")"
grep -qF 'lib\x1b[31m\xc2\x9b\xe2\x80\xae\x9b/' "$E2E_TMP/list.out" ||
	fail "the copy's path is not listed escaped: $(grep -a lib "$E2E_TMP/list.out")"
$CHECK "$E2E_TMP/list.out" "$E2E_TMP/list.err" || fail "raw controls in --list-targets"
log "ok: --list-targets shows $(grep -aF 'lib\x1b' "$E2E_TMP/list.out" | head -1)"

log "pcapng: comments and records"
start_capture pcap -w "$E2E_TMP/cap.pcapng"
evil_requests pcap
stop_capture pcap
$CHECK "$E2E_TMP/pcap.err" || fail "raw controls in the log"
tshark -r "$E2E_TMP/cap.pcapng" -T fields -e frame.comment >"$E2E_TMP/comments.out" 2>&1
grep -qF 'cu\x1b[31m\xc2\x9b\xe2\x80\xaerl pid=' "$E2E_TMP/comments.out" ||
	fail "no escaped comm in the comments: $(grep -a pid= "$E2E_TMP/comments.out" | head -3)"
# In the comment the cmdline's backslashes are doubled (ecapture/record.h).
grep -qF 'cmdline="'"$E2E_TMP"'/cu\\x1b[31m\\xc2\\x9b\\xe2\\x80\\xaerl ' "$E2E_TMP/comments.out" &&
	grep -qF 'out\\x9b\\x1b]0;t\\x07"' "$E2E_TMP/comments.out" ||
	fail "no escaped cmdline in the comments: $(grep -a cmdline "$E2E_TMP/comments.out" | head -3)"
$CHECK "$E2E_TMP/comments.out" || fail "raw controls in frame.comment"
log "ok: $(grep -aF 'cu\x1b' "$E2E_TMP/comments.out" | head -1)"
tshark -r "$E2E_TMP/cap.pcapng" -T fields -e ecapture.comm -e ecapture.cmdline \
	-Y 'ecapture.pid' >"$E2E_TMP/fields.out" 2>&1
grep -qF 'cu\x1b[31m\xc2\x9b\xe2\x80\xaerl'$'\t'"$E2E_TMP"'/cu\x1b[31m\xc2\x9b\xe2\x80\xaerl -sk' \
	"$E2E_TMP/fields.out" && grep -qF 'out\x9b\x1b]0;t\x07' "$E2E_TMP/fields.out" ||
	fail "ecapture.comm or ecapture.cmdline not escaped: $(head -3 "$E2E_TMP/fields.out")"
$CHECK "$E2E_TMP/fields.out" || fail "raw controls in ecapture.comm / ecapture.cmdline"
# -V with the whole tree (frames, comments, HTTP with its CRLFs shown escaped by Wireshark).
tshark -r "$E2E_TMP/cap.pcapng" -V >"$E2E_TMP/verbose.out" 2>&1
[ "$(grep -caF 'cu\x1b[31m' "$E2E_TMP/verbose.out")" -gt 0 ] || fail "tshark -V shows no process"
$CHECK "$E2E_TMP/verbose.out" || fail "raw controls in tshark -V"
log "ok: tshark -V and -T fields: $(grep -c . "$E2E_TMP/fields.out") lines, no raw control"

log "text output"
start_capture text
evil_requests text
stop_capture text
grep -qF 'cu\x1b[31m\xc2\x9b\xe2\x80\xaerl pid=' "$E2E_TMP/text.out" ||
	fail "the text output does not name the process escaped: $(head -5 "$E2E_TMP/text.out")"
$CHECK "$E2E_TMP/text.out" "$E2E_TMP/text.err" || fail "raw controls in the text output or log"
log "ok: text output and log"
assert_clean
log "PASS"
