#!/usr/bin/env bash
# Bad input gets one clear error line and a non-zero exit, never a hang, and leaves nothing of
# ours behind: not root, a library path that does not exist, a dead PID, a bad capture filter,
# an unknown network interface. Under tshark the same reasons reach the user as
# "Error by extcap pipe: <reason>".
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark runuser bpftool tc timeout
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump

# expect_error EXPECTED_TEXT COMMAND...: exit != 0 within 20 s, exactly one stderr line with it.
expect_error() {
	local expected=$1 rc=0
	shift
	timeout 20 "$@" >"$E2E_TMP/cmd.out" 2>"$E2E_TMP/cmd.err" || rc=$?
	[ $rc -ne 124 ] || fail "hung: $*"
	[ $rc -ne 0 ] || fail "exit status 0: $*"
	[ "$(wc -l <"$E2E_TMP/cmd.err")" -eq 1 ] ||
		fail "expected one error line from '$*', got: $(cat "$E2E_TMP/cmd.err")"
	grep -qF -- "$expected" "$E2E_TMP/cmd.err" ||
		fail "'$*' said '$(cat "$E2E_TMP/cmd.err")', expected '$expected'"
	log "ok ($rc): $* -> $(cat "$E2E_TMP/cmd.err")"
	assert_clean
}

# expect_tshark_error EXPECTED_TEXT TSHARK_ARGS...: the reason is shown, tshark does not hang.
expect_tshark_error() {
	local expected=$1 rc=0
	shift
	timeout 30 "$@" >"$E2E_TMP/ts.out" 2>"$E2E_TMP/ts.err" || rc=$?
	[ $rc -ne 124 ] || fail "tshark hung: $*"
	grep -F 'Error by extcap pipe: ' "$E2E_TMP/ts.err" | grep -F -- "$expected" >/dev/null ||
		fail "tshark did not report '$expected': $(cat "$E2E_TMP/ts.err")"
	log "ok: $* -> $(grep 'Error by extcap pipe' "$E2E_TMP/ts.err")"
	assert_clean
}

OUT="$E2E_TMP/never.pcapng"
expect_error "needs root" runuser -u nobody -- "$EXTCAP" -w /dev/null
expect_error "/nonexistent/libssl.so.3: No such file or directory" \
	"$EXTCAP" --libssl /nonexistent/libssl.so.3 -w "$OUT"
dead=$(sh -c 'echo $$')
expect_error "process $dead does not exist" "$EXTCAP" --pid "$dead" -w "$OUT"
expect_error "invalid process ID" "$EXTCAP" --pid 12x -w "$OUT"
expect_error "unknown user" "$EXTCAP" --uid no-such-user-here -w "$OUT"
expect_error "invalid capture filter" "$EXTCAP" -f 'tcp port ((' -w "$OUT"
expect_error "network interface nosuchif0 does not exist" "$EXTCAP" --netif nosuchif0 -w "$OUT"
expect_error "not an ELF file" "$EXTCAP" --libssl /etc/hostname -w "$OUT"
expect_error "unknown interface" "$EXTCAP" --capture --extcap-interface nope --fifo "$E2E_TMP/nofifo"
# A symlink planted where the keys are to be written is refused, not followed.
echo precious >"$E2E_TMP/precious"
ln -s "$E2E_TMP/precious" "$E2E_TMP/planted"
expect_error "it is a symbolic link" "$EXTCAP" -w "$E2E_TMP/planted"
expect_error "it is a symbolic link" "$EXTCAP" --keylog "$E2E_TMP/planted"
[ "$(cat "$E2E_TMP/precious")" = precious ] || fail "the file behind the symlink was written"
# As root, a file someone else owns is not written into (it may be a trap set in a shared dir).
echo theirs >"$E2E_TMP/theirs.pcapng"
chown nobody "$E2E_TMP/theirs.pcapng"
expect_error "it belongs to user nobody" "$EXTCAP" -w "$E2E_TMP/theirs.pcapng"
expect_error "it belongs to user nobody" "$EXTCAP" --keylog "$E2E_TMP/theirs.pcapng"
[ "$(cat "$E2E_TMP/theirs.pcapng")" = theirs ] || fail "another user's file was written"
# A start that fails leaves an existing -w file as it was, and creates none.
echo "an earlier capture" >"$E2E_TMP/earlier.pcapng"
chmod 644 "$E2E_TMP/earlier.pcapng"
expect_error "process $dead does not exist" "$EXTCAP" --pid "$dead" -w "$E2E_TMP/earlier.pcapng"
[ "$(cat "$E2E_TMP/earlier.pcapng")" = "an earlier capture" ] ||
	fail "a failed start changed the existing -w file"
[ "$(stat -c %a "$E2E_TMP/earlier.pcapng")" = 644 ] || fail "a failed start changed its mode"
[ ! -e "$OUT" ] || fail "a failed start left $OUT behind"
# Nor a key log file (the start fails after it is opened: the library is checked later).
expect_error "not an ELF file" "$EXTCAP" --libssl /etc/hostname --keylog "$E2E_TMP/new.keylog" \
	-w "$OUT"
[ ! -e "$E2E_TMP/new.keylog" ] || fail "a failed start left the key log file it created"

expect_tshark_error "needs root" runuser -u nobody -- tshark -i ecapture-tls -a duration:5
expect_tshark_error "/nonexistent/libssl.so.3: No such file or directory" \
	tshark -i ecapture-tls -o extcap.ecapture_tls.libssl:/nonexistent/libssl.so.3 -a duration:5
expect_tshark_error "process $dead does not exist" \
	tshark -i ecapture-tls -o "extcap.ecapture_tls.pid:$dead" -a duration:5

# Every bad value of every option of the dialog, as Wireshark passes it: tshark ends within
# 10 seconds and shows why (a value the option parser itself refuses included: the FIFO is
# still opened).
for pref in holdms:99999999999 holdms:-5 holdms:abc pid:abc pid:-1 pid:0 uid:no-such-user-here \
	mode:bogus loglevel:bogus logfile:/nonexistent/dir/x.log tlslibs:bogus \
	libgnutls:/nonexistent libnspr:/etc/hostname gobin:/etc/hostname netif:nosuchif0 \
	libssl:/etc/hostname; do
	rc=0
	timeout 10 tshark -i ecapture-tls -o "extcap.ecapture_tls.$pref" -a duration:5 \
		>"$E2E_TMP/ts.out" 2>"$E2E_TMP/ts.err" || rc=$?
	[ $rc -ne 124 ] || fail "tshark did not end within 10 s with $pref"
	why=$(grep -F 'Error by extcap pipe: ' "$E2E_TMP/ts.err" | head -1)
	[ -n "$why" ] && [ "$why" != "Error by extcap pipe: " ] ||
		fail "tshark showed no reason for $pref: $(cat "$E2E_TMP/ts.err")"
	log "ok: $pref -> $why"
done
assert_clean
log "PASS"
