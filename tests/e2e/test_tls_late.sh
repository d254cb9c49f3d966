#!/usr/bin/env bash
# Libraries that appear after the capture started. The server (gnutls-serv) is not traced, so
# the keys can only come from the clients. While tshark captures live on ecapture-tls with only
# OpenSSL traced:
# - one-shot curls, each loading its own copy of libssl from a new directory (LD_LIBRARY_PATH),
#   started 2 s after the capture began, over TLS 1.3 and TLS 1.2;
# - a one-shot curl on the system's libssl started 100 ms after the capture was up;
# - a one-shot curl on one more copy, run by an interactive shell with job control: holding it
#   still while its copy gets probes (ptrace) is invisible there (no "Stopped", exit status 0);
# each request is decrypted exactly once by stock tshark, and the log names every copy as traced
# after the capture started.
source "$(dirname "$0")/lib.sh"
require_root
require_tools gnutls-serv curl openssl tshark bpftool tc python3
require_installed_extcap
SYS=$(realpath "$(ldd "$(command -v curl)" | awk '$1 ~ /^libssl\.so/ { print $3 }')")
[ -f "$SYS" ] || fail "cannot find curl's libssl"

start_gnutls_serv
PORT=$GNUTLS_PORT

start_tshark live -o extcap.ecapture_tls.tlslibs:openssl -Y http.request -T fields \
	-e http.request.uri
wait_attached live
sleep 0.1
curl -sk --http1.1 --max-time 5 "https://127.0.0.1:$PORT/system/1" -o /dev/null ||
	fail "curl on the system's libssl failed"
sleep 2
N=4
for v in 1.3 1.2; do
	for i in $(seq $N); do
		dir=$E2E_TMP/copy-$v-$i
		mkdir -p "$dir"
		cp "$SYS" "$dir/"
		LD_LIBRARY_PATH=$dir curl -sk --http1.1 --tlsv$v --tls-max $v --max-time 5 \
			"https://127.0.0.1:$PORT/late$v/$i" -o /dev/null || fail "curl /late$v/$i failed"
	done
done
dir=$E2E_TMP/copy-jobs
mkdir -p "$dir"
cp "$SYS" "$dir/"
script -qec "bash -i -c 'set -m; LD_LIBRARY_PATH=$dir curl -sk --http1.1 --max-time 5 \
	https://127.0.0.1:$PORT/jobs/1 -o /dev/null; echo curl-exit=\$?; jobs'" /dev/null \
	</dev/null >"$E2E_TMP/jobs.out" 2>&1 || true
grep -q 'curl-exit=0' "$E2E_TMP/jobs.out" || fail "curl under job control: $(cat "$E2E_TMP/jobs.out")"
! grep -qi 'stopped' "$E2E_TMP/jobs.out" || fail "the shell saw its job stop: $(cat "$E2E_TMP/jobs.out")"
wait_for_lines "$E2E_TMP/live.out" "/jobs/1\$" 1 20 || true
sleep 1
stop_tshark

assert_each_once "$E2E_TMP/live.out" /system/ 1
assert_each_once "$E2E_TMP/live.out" /late1.3/ $N
assert_each_once "$E2E_TMP/live.out" /late1.2/ $N
assert_each_once "$E2E_TMP/live.out" /jobs/ 1
n=$(grep -c 'after the capture started' "$E2E_TMP/live.log" || true)
[ "$n" -eq $((2 * N + 1)) ] || fail "$n copies said to be traced late, expected $((2 * N + 1)): $(cat "$E2E_TMP/live.log")"
log "ok: $n copies of libssl traced as they appeared, every first connection decrypted"
assert_clean
log "PASS"
