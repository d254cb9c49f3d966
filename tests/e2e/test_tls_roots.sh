#!/usr/bin/env bash
# OpenSSL of other releases in other roots: curl in a Debian 13 root file system (chroot;
# OpenSSL 3.5, built for a newer glibc than ours, so its layout is measured with the root's own
# loader) and in a Debian 11 one (OpenSSL 1.1.1, whose client random lies behind the s3
# pointer). The server (gnutls-serv) is not traced: the keys can only come from curl. For each
# root, with only OpenSSL traced, live under tshark:
# - started after the capture began, talking to a server 300 ms away: the root's libssl is
#   traced as it appears and its first connections decrypted, TLS 1.3 and 1.2;
# - a process of the root already running when the capture starts: its libssl is traced from
#   the start, and one-shot curls of the root are decrypted, TLS 1.3 and 1.2;
# - --list-targets names the root's libssl with its version and layout source.
source "$(dirname "$0")/lib.sh"
require_root
require_tools gnutls-serv curl openssl tshark bpftool tc python3 chroot
require_installed_extcap
require_rootfs trixie
require_rootfs bullseye
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump

start_gnutls_serv
PORT=$GNUTLS_PORT
FAR=$(free_port)
python3 "$(dirname "$0")/delay_proxy.py" "$FAR" "$PORT" 0.3 >"$E2E_TMP/proxy.err" 2>&1 &
E2E_PIDS+=("$!")
wait_https "$FAR"

# root_curl PORT PATH VERSION: a one-shot curl of the root.
root_curl() {
	chroot "$ROOTFS" curl -sk --http1.1 --tlsv$3 --tls-max $3 --max-time 10 \
		"https://127.0.0.1:$1$2" -o /dev/null || fail "curl in the root: $2 failed"
}

# check_root SUITE LIBNAME VERSION: the checks above for the Debian SUITE root, whose libssl is
# LIBNAME and says it is VERSION (an extended regular expression).
check_root() {
	SUITE=$1
	ROOTFS=/var/cache/ecapture-roots/$1
	LIB=$ROOTFS/usr/lib/x86_64-linux-gnu/$2
	WANT_VERSION=$3
	[ -f "$LIB" ] || fail "no $2 in $ROOTFS"

	# Started after the capture began.
	# The proxy's two hops carry the same TLS stream: only the client's hop (to $FAR) is counted.
	start_tshark "after-$SUITE" -o extcap.ecapture_tls.tlslibs:openssl -Y "http.request && tcp.dstport == $FAR" \
		-T fields -e http.request.uri
	wait_attached "after-$SUITE"
	grep -qF "tracing $LIB" "$E2E_TMP/after-$SUITE.log" && fail "the root's libssl is traced before any process uses it"
	root_curl "$FAR" /after1.3 1.3
	root_curl "$FAR" /after1.2 1.2
	wait_for_lines "$E2E_TMP/after-$SUITE.out" '^/after1.2$' 1 15 || true
	sleep 1
	stop_tshark
	grep -qF "tracing $LIB (seen in pid" "$E2E_TMP/after-$SUITE.log" ||
		fail "the root's libssl was not traced as it appeared: $(cat "$E2E_TMP/after-$SUITE.log")"
	for u in /after1.3 /after1.2; do
		[ "$(grep -cx -- "$u" "$E2E_TMP/after-$SUITE.out" || true)" -eq 1 ] || fail "$u not decrypted exactly once"
	done
	log "ok: curl of the Debian $SUITE root started after the capture: decrypted, TLS 1.3 and 1.2"
	assert_clean

	# Already running when the capture starts: a curl of the root waiting on a silent server.
	SILENT=$(free_port)
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(120)' \
		"$SILENT" &
	E2E_PIDS+=("$!")
	for i in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$SILENT") 2>/dev/null && break
		sleep 0.1
	done
	chroot "$ROOTFS" curl -sSk --max-time 60 "https://127.0.0.1:$SILENT/" -o /dev/null \
		</dev/null >"$E2E_TMP/waiter.err" 2>&1 &
	WAITER=$! # chroot execs curl: the same process
	E2E_PIDS+=("$WAITER")
	for i in $(seq 50); do
		grep -qF "$LIB" "/proc/$WAITER/maps" 2>/dev/null && break
		sleep 0.1
	done
	grep -qF "$LIB" "/proc/$WAITER/maps" 2>/dev/null ||
		fail "the waiting curl of the root does not map its libssl: $(cat "$E2E_TMP/waiter.err")"

	timeout 60 "$EXTCAP" --list-targets --tls-libs openssl >"$E2E_TMP/list.out" 2>&1 ||
		fail "--list-targets failed: $(cat "$E2E_TMP/list.out")"
	awk -v p="$LIB" '/^[a-z0-9]/ { on = (substr($0, length($0) - length(p) + 1) == p) } on' \
		"$E2E_TMP/list.out" >"$E2E_TMP/block"
	grep -q '^traced ' "$E2E_TMP/block" && grep -Eq "^ +version +$WANT_VERSION" "$E2E_TMP/block" &&
		grep -Eq '^ +keys +.*layout calibrated' "$E2E_TMP/block" ||
		fail "--list-targets does not list the root's libssl as traced, $WANT_VERSION, calibrated: $(cat "$E2E_TMP/list.out")"
	log "ok: --list-targets: $(tr '\n' ' ' <"$E2E_TMP/block")"

	start_tshark "before-$SUITE" -o extcap.ecapture_tls.tlslibs:openssl -Y http.request -T fields \
		-e http.request.uri
	wait_attached "before-$SUITE"
	grep -qF "tracing $LIB" "$E2E_TMP/before-$SUITE.log" ||
		fail "the root's libssl is not traced from the start: $(cat "$E2E_TMP/before-$SUITE.log")"
	root_curl "$PORT" /before1.3 1.3
	root_curl "$PORT" /before1.2 1.2
	wait_for_lines "$E2E_TMP/before-$SUITE.out" '^/before1.2$' 1 15 || true
	sleep 1
	stop_tshark
	for u in /before1.3 /before1.2; do
		[ "$(grep -cx -- "$u" "$E2E_TMP/before-$SUITE.out" || true)" -eq 1 ] || fail "$u not decrypted exactly once"
	done
	log "ok: one-shot curls of a root already in use: decrypted, TLS 1.3 and 1.2"
	kill "$WAITER" 2>/dev/null || true
	assert_clean
}

check_root trixie libssl.so.3 'OpenSSL 3\.5'
check_root bullseye libssl.so.1.1 'OpenSSL 1\.1\.1'
log "PASS"
