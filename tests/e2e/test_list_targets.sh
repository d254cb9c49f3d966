#!/usr/bin/env bash
# ecapturedump --list-targets: each file a capture would trace (path, version, where its keys
# come from, the processes using it) and each it would skip with the reason, with nothing loaded
# or attached. Covers the system's libssl, a copy at a new path found through the process that
# maps it, a copy named with --libssl, a corrupted copy (skipped: no layout can be measured), and
# an audit interface's program.
source "$(dirname "$0")/lib.sh"
require_root
require_tools openssl bpftool tc python3
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
SYS=$(realpath "$(ldd "$(command -v openssl)" | awk '$1 ~ /^libssl\.so/ { print $3 }')")
[ -f "$SYS" ] || fail "cannot find the system's libssl: $(ldd "$(command -v openssl)")"

# block FILE PATH: the lines of FILE's block for PATH (its header line and the indented ones).
block() {
	awk -v p="$2" '/^[a-z]/ { on = (index($0, " " p) > 0 && substr($0, length($0) - length(p) + 1) == p) }
		on' "$1"
}

# A process that maps a copy of libssl at a new path.
mkdir -p "$E2E_TMP/lib" "$E2E_TMP/bad"
cp "$SYS" "$E2E_TMP/lib/"
COPY=$E2E_TMP/lib/$(basename "$SYS")
head -c 8192 "$SYS" >"$E2E_TMP/bad/$(basename "$SYS")"
BAD=$E2E_TMP/bad/$(basename "$SYS")
make_test_cert
LD_LIBRARY_PATH=$E2E_TMP/lib openssl s_server -quiet -accept "127.0.0.1:$(free_port)" \
	-cert "$E2E_TMP/cert.pem" -key "$E2E_TMP/key.pem" </dev/null >/dev/null 2>&1 &
USER_PID=$!
E2E_PIDS+=("$USER_PID")
for i in $(seq 50); do
	grep -qF "$COPY" "/proc/$USER_PID/maps" 2>/dev/null && break
	sleep 0.1
done
grep -qF "$COPY" "/proc/$USER_PID/maps" || fail "s_server does not map $COPY"

timeout 60 "$EXTCAP" --list-targets --libssl "$BAD" >"$E2E_TMP/list.out" 2>"$E2E_TMP/list.err" ||
	fail "--list-targets failed: $(cat "$E2E_TMP/list.err")"
cat "$E2E_TMP/list.out" >&2

b=$(block "$E2E_TMP/list.out" "$SYS")
grep -q "^traced *OpenSSL $SYS\$" <<<"$b" || fail "the system's libssl is not listed as traced"
grep -Eq '^ +version +OpenSSL [0-9]' <<<"$b" || fail "no OpenSSL version for $SYS: $b"
grep -Eq '^ +keys +.*layout calibrated' <<<"$b" || fail "no layout source for $SYS: $b"
log "ok: $SYS traced, $(grep -E '^ +version' <<<"$b" | sed 's/^ *version *//'), layout calibrated"

b=$(block "$E2E_TMP/list.out" "$COPY")
grep -q "^traced *OpenSSL " <<<"$b" || fail "the copy mapped by pid $USER_PID is not listed: $b"
grep -Eq "^ +processes +1 \\(pid $USER_PID\\)" <<<"$b" || fail "pid $USER_PID not named: $b"
grep -Eq '^ +keys +.*layout calibrated' <<<"$b" || fail "no layout source for the copy: $b"
log "ok: the copy at a new path is traced, used by pid $USER_PID"

b=$(block "$E2E_TMP/list.out" "$BAD")
grep -q "^skipped *OpenSSL " <<<"$b" || fail "the corrupted copy is not listed as skipped: $b"
grep -Eq '^ +reason +.+' <<<"$b" || fail "no reason for skipping the corrupted copy: $b"
log "ok: the corrupted copy is skipped: $(grep -E '^ +reason' <<<"$b" | sed 's/^ *reason *//')"
grep -Eq '^[0-9]+ to trace, 1 skipped$' "$E2E_TMP/list.out" || fail "wrong count line"

timeout 60 "$EXTCAP" --list-targets -i ecapture-bash --bash /nonexistent/bash \
	>"$E2E_TMP/bash.out" 2>&1 || fail "--list-targets -i ecapture-bash failed"
grep -q '^skipped *bash /nonexistent/bash$' "$E2E_TMP/bash.out" &&
	grep -Eq '^ +reason +.*No such file' "$E2E_TMP/bash.out" ||
	fail "a missing bash is not listed as skipped with its reason: $(cat "$E2E_TMP/bash.out")"
log "ok: a missing bash is listed as skipped with its reason"

# Listing loads and attaches nothing.
assert_clean
log "PASS"
