#!/usr/bin/env bash
# Go crypto/tls, end to end: an HTTPS client built here with the system's Go (1.19 on Debian 12)
# against nginx on loopback, while tshark captures live on ecapture-tls with only Go traced (so
# the keys can come from nowhere else: nginx's OpenSSL is not traced). The client sets no
# KeyLogWriter.
#  1. a normal build, running before the capture starts (found among the running processes):
#     10 requests over TLS 1.3 and 10 over TLS 1.2, a connection each;
#  2. a stripped PIE build (no symbol table), named in the config, started after the capture;
#  3. a PID filter on one of two clients;
#  4. a copy nobody named, started after the capture (seen when it starts).
# Every request must be decrypted exactly once by stock tshark from the DSBs, and its packets
# must name the client's pid. Plaintext records of the same traffic must name it too.
source "$(dirname "$0")/lib.sh"
require_root
# E2E_GO_PREBUILT: a directory holding goclient and goclient-pie built the same way elsewhere (the
# VM harness, tests/vm, builds them on the host: the guest has no Go toolchain).
if [ -n "${E2E_GO_PREBUILT:-}" ]; then
	require_tools readelf tshark nginx openssl bpftool tc python3
else
	require_tools go readelf tshark nginx openssl bpftool tc python3
fi
require_installed_extcap
require_installed_plugin
start_nginx
URL="https://127.0.0.1:$TLS_PORT"
N=10

if [ -n "${E2E_GO_PREBUILT:-}" ]; then
	log "the Go clients built beforehand, in $E2E_GO_PREBUILT"
	cp "$E2E_GO_PREBUILT/goclient" "$E2E_GO_PREBUILT/goclient-pie" "$E2E_TMP/" || fail "no prebuilt Go client"
else
	log "building the Go client"
	export HOME="$E2E_TMP" GOCACHE="$E2E_TMP/gocache" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
	go version >&2
	go build -o "$E2E_TMP/goclient" "$SOURCE_DIR/tests/e2e/go/client.go" || fail "go build"
	go build -buildmode=pie -ldflags='-s -w' -o "$E2E_TMP/goclient-pie" \
		"$SOURCE_DIR/tests/e2e/go/client.go" || fail "go build (stripped PIE)"
fi
readelf -h "$E2E_TMP/goclient-pie" | grep -q 'Type:.*DYN' || fail "the client is no PIE"
readelf -S "$E2E_TMP/goclient-pie" | grep -q '\.symtab' && fail "the PIE client has a symbol table"

# check_run FILE PREFIX PID: every PREFIX1..PREFIXN request once in FILE (fields pid, uri),
# each with PID.
check_run() {
	local file=$1 prefix=$2 pid=$3 wrong
	cut -f2 "$file" >"$file.uris"
	assert_each_once "$file.uris" "$prefix" $N
	wrong=$(awk -F'\t' -v p="$prefix" -v pid="$pid" 'index($2, p) == 1 && $1 != pid' \
		"$file" | head -3)
	[ -z "$wrong" ] || fail "$prefix requests not attributed to pid $pid: $wrong"
	log "ok: $prefix* from pid $pid"
}

log "1. a running Go program, found by itself"
G="$E2E_TMP/gate"
"$E2E_TMP/goclient" -gate "$G" -n $N -tls 1.3 "$URL/go13" >"$E2E_TMP/c13.client" 2>&1 &
C13=$!
"$E2E_TMP/goclient" -gate "$G" -n $N -tls 1.2 "$URL/go12" >"$E2E_TMP/c12.client" 2>&1 &
C12=$!
E2E_PIDS+=("$C13" "$C12")
start_tshark found -o extcap.ecapture_tls.tlslibs:go -o extcap.ecapture_tls.mode:both \
	-Y http.request -T fields -E separator=/t -e ecapture.pid -e http.request.uri \
	-e ecapture.conn_id
wait_attached found
grep -q "tracing Go program $E2E_TMP/goclient\$" "$E2E_TMP/found.log" ||
	fail "the running Go client was not found: $(grep -i go "$E2E_TMP/found.log")"
grep -q 'OpenSSL' "$E2E_TMP/found.log" && fail "OpenSSL traced although only Go was chosen"
touch "$G"
wait "$C13" || fail "Go client (TLS 1.3) failed: $(cat "$E2E_TMP/c13.client")"
wait "$C12" || fail "Go client (TLS 1.2) failed: $(cat "$E2E_TMP/c12.client")"
wait_for_lines "$E2E_TMP/found.out" "/go12/$N[[:space:]]" 2 20 || true
sleep 1
stop_tshark
# Packets (decrypted through the DSBs) have no connection id; plaintext records have one.
awk -F'\t' '$3 == ""' "$E2E_TMP/found.out" >"$E2E_TMP/found.pkts"
awk -F'\t' '$3 != ""' "$E2E_TMP/found.out" >"$E2E_TMP/found.recs"
check_run "$E2E_TMP/found.pkts" /go13/ "$C13"
check_run "$E2E_TMP/found.pkts" /go12/ "$C12"
log "plaintext records:"
check_run "$E2E_TMP/found.recs" /go13/ "$C13"
check_run "$E2E_TMP/found.recs" /go12/ "$C12"
assert_clean

log "2. a stripped PIE Go program named in the config, started after the capture"
start_tshark pie -o extcap.ecapture_tls.tlslibs:go -o "extcap.ecapture_tls.gobin:$E2E_TMP/goclient-pie" \
	-Y http.request -T fields -E separator=/t -e ecapture.pid -e http.request.uri
wait_attached pie
"$E2E_TMP/goclient-pie" -n $N -tls 1.3 "$URL/pie13" >"$E2E_TMP/p13.client" 2>&1 &
P13=$!
wait "$P13" || fail "stripped Go client (TLS 1.3) failed: $(cat "$E2E_TMP/p13.client")"
"$E2E_TMP/goclient-pie" -n $N -tls 1.2 "$URL/pie12" >"$E2E_TMP/p12.client" 2>&1 &
P12=$!
wait "$P12" || fail "stripped Go client (TLS 1.2) failed: $(cat "$E2E_TMP/p12.client")"
wait_for_lines "$E2E_TMP/pie.out" "/pie12/$N\$" 1 20 || true
sleep 1
stop_tshark
check_run "$E2E_TMP/pie.out" /pie13/ "$P13"
check_run "$E2E_TMP/pie.out" /pie12/ "$P12"
assert_clean

log "3. a PID filter: of two running Go clients, only the chosen one is captured"
G2="$E2E_TMP/gate2"
"$E2E_TMP/goclient" -gate "$G2" -n $N -tls 1.3 "$URL/keep" >"$E2E_TMP/keep.client" 2>&1 &
KEEP=$!
"$E2E_TMP/goclient-pie" -gate "$G2" -n $N -tls 1.3 "$URL/other" >"$E2E_TMP/other.client" 2>&1 &
OTHER=$!
E2E_PIDS+=("$KEEP" "$OTHER")
start_tshark pid -o extcap.ecapture_tls.tlslibs:go -o "extcap.ecapture_tls.pid:$KEEP" \
	-o extcap.ecapture_tls.mode:both -Y http.request -T fields -E separator=/t \
	-e ecapture.pid -e http.request.uri
wait_attached pid
touch "$G2"
wait "$KEEP" || fail "Go client $KEEP failed: $(cat "$E2E_TMP/keep.client")"
wait "$OTHER" || fail "Go client $OTHER failed: $(cat "$E2E_TMP/other.client")"
wait_for_lines "$E2E_TMP/pid.out" "/keep/$N\$" 2 20 || true
sleep 1
stop_tshark
cut -f2 "$E2E_TMP/pid.out" | sort | uniq -c | awk '$1 != 2' >"$E2E_TMP/pid.bad"
[ ! -s "$E2E_TMP/pid.bad" ] || fail "not each request once as packet and once as record: $(cat "$E2E_TMP/pid.bad")"
[ "$(grep -c '/keep/' "$E2E_TMP/pid.out")" -eq $((2 * N)) ] || fail "requests of pid $KEEP missing"
grep -q '/other/' "$E2E_TMP/pid.out" && fail "pid $OTHER captured despite the filter"
awk -F'\t' -v pid="$KEEP" '$1 != pid' "$E2E_TMP/pid.out" | grep -q . && fail "a line with another pid"
log "ok: only pid $KEEP, all $N requests decrypted and as records"
assert_clean

log "4. a Go program nobody named, started after the capture, its first request 1 s later"
cp "$E2E_TMP/goclient" "$E2E_TMP/goclient-late"
start_tshark late -o extcap.ecapture_tls.tlslibs:go -Y http.request -T fields -E separator=/t \
	-e ecapture.pid -e http.request.uri
wait_attached late
G3="$E2E_TMP/gate3"
"$E2E_TMP/goclient-late" -gate "$G3" -n $N -tls 1.3 "$URL/late13" >"$E2E_TMP/l13.client" 2>&1 &
L13=$!
E2E_PIDS+=("$L13")
sleep 1
touch "$G3"
wait "$L13" || fail "Go client (late) failed: $(cat "$E2E_TMP/l13.client")"
wait_for_lines "$E2E_TMP/late.out" "/late13/$N\$" 1 20 || true
sleep 1
stop_tshark
grep -q "tracing Go program $E2E_TMP/goclient-late (seen in pid $L13 after the capture started)" \
	"$E2E_TMP/late.log" || fail "the late Go program was not traced: $(cat "$E2E_TMP/late.log")"
check_run "$E2E_TMP/late.out" /late13/ "$L13"
assert_clean
log "PASS"
