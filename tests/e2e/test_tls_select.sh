#!/usr/bin/env bash
# Choosing the TLS libraries: the config dialog offers OpenSSL, GnuTLS, NSS and Go as a
# multicheck, all checked; the choice restricts what is traced; bad choices and paths that are
# no such library give one clear error line and a non-zero exit, also under tshark.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark bpftool tc timeout
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump

config=$("$EXTCAP" --extcap-interface ecapture-tls --extcap-config)
arg=$(grep -F '{call=--tls-libs}' <<<"$config") || fail "no --tls-libs option in: $config"
grep -q '{type=multicheck}' <<<"$arg" || fail "--tls-libs is not a multicheck: $arg"
n=$(sed -n 's/^arg {number=\([0-9]*\)}.*call=--tls-libs.*/\1/p' <<<"$config")
for lib in openssl gnutls nss go; do
	grep -qF "value {arg=$n}{value=$lib}" <<<"$config" || fail "no $lib in the multicheck"
	grep -F "value {arg=$n}{value=$lib}" <<<"$config" | grep -qF '{default=true}' ||
		fail "$lib is not checked by default"
done
for call in --libgnutls --libnspr --gobin; do
	grep -qF "{call=$call}" <<<"$config" || fail "no $call option"
done
log "ok: the dialog offers the libraries, all checked, and their paths"

expect_error() {
	local expected=$1 rc=0
	shift
	timeout 30 "$@" >"$E2E_TMP/cmd.out" 2>"$E2E_TMP/cmd.err" || rc=$?
	[ $rc -ne 124 ] || fail "hung: $*"
	[ $rc -ne 0 ] || fail "exit status 0: $*"
	grep -qF -- "$expected" "$E2E_TMP/cmd.err" ||
		fail "'$*' said '$(cat "$E2E_TMP/cmd.err")', expected '$expected'"
	log "ok ($rc): $* -> $(tail -1 "$E2E_TMP/cmd.err")"
	assert_clean
}
expect_error 'unknown TLS library "boringssl"' "$EXTCAP" --tls-libs openssl,boringssl -w /dev/null
expect_error "/etc/hostname is no Go program that uses crypto/tls" \
	"$EXTCAP" --tls-libs go --gobin /etc/hostname -w /dev/null -a 1
expect_error "program /nonexistent/go: No such file" \
	"$EXTCAP" --gobin /nonexistent/go -w /dev/null -a 1
expect_error "TLS library /nonexistent/libgnutls.so.30" \
	"$EXTCAP" --libgnutls /nonexistent/libgnutls.so.30 -w /dev/null -a 1
rc=0
timeout 30 tshark -i ecapture-tls -o extcap.ecapture_tls.tlslibs:go \
	-o extcap.ecapture_tls.gobin:/etc/hostname -a duration:3 >/dev/null 2>"$E2E_TMP/ts.err" || rc=$?
[ $rc -ne 124 ] || fail "tshark hung"
grep -F 'Error by extcap pipe: ' "$E2E_TMP/ts.err" | grep -qF 'no Go program' ||
	fail "tshark did not report the bad Go program: $(cat "$E2E_TMP/ts.err")"
log "ok: tshark reports $(grep -o 'Error by extcap pipe: .*' "$E2E_TMP/ts.err")"
assert_clean

# Only what was chosen is traced.
"$EXTCAP" -v --tls-libs gnutls,nss -w /dev/null -a 3 2>"$E2E_TMP/sel.log" || fail "capture failed"
grep -q 'capturing:.*GnuTLS: 1 library.*NSS: 1 library' "$E2E_TMP/sel.log" ||
	fail "GnuTLS and NSS not both traced: $(grep capturing "$E2E_TMP/sel.log")"
grep -q 'capturing:.*\(OpenSSL\|Go:\)' "$E2E_TMP/sel.log" &&
	fail "traced more than chosen: $(grep capturing "$E2E_TMP/sel.log")"
log "ok: $(grep -o 'capturing:.*' "$E2E_TMP/sel.log")"
assert_clean
log "PASS"
