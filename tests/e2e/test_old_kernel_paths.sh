#!/usr/bin/env bash
# The older kernels' paths on this kernel (README "Kernels"): with every ECAPTURE_NO_*=1 the
# loader must say it takes each fallback (--list-targets' "kernel:" lines), and a live capture
# on them (perf uprobes, one program per probe point without cookies, clsact, sys_enter, the user
# registers from the kernel stack, the tc programs without atomic fetch) must decrypt every
# request exactly once. The real old kernels are tested in VMs (tests/vm).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl bpftool tc python3
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
export ECAPTURE_NO_UPROBE_COOKIE=1 ECAPTURE_NO_TCX=1 ECAPTURE_NO_SOCKET_TRACEPOINTS=1 \
	ECAPTURE_NO_TASK_PT_REGS=1 ECAPTURE_NO_ATOMIC_FETCH=1

timeout 60 "$EXTCAP" --list-targets >"$E2E_TMP/list.out" 2>&1 || fail "--list-targets: $(cat "$E2E_TMP/list.out")"
for want in 'uprobes: perf (uprobe_multi unsupported' 'uprobe cookies: one program per probe point' \
	'packets: clsact (tcx unsupported)' 'socket finder: sys_enter' \
	'user registers: from the kernel stack' 'atomic fetch: no'; do
	grep -qF "kernel: $want" "$E2E_TMP/list.out" || fail "--list-targets does not say '$want'"
done
log "ok: --list-targets names every fallback"

start_nginx
start_tshark live -Y http.request -T fields -e http.request.uri
wait_capturing live
[ "$(tc filter show dev lo egress 2>/dev/null | grep -c bpf)" -gt 0 ] || fail "no clsact filter on lo"

N=10
URL="https://127.0.0.1:$TLS_PORT"
for i in $(seq $N); do
	curl -sk --http1.1 --tlsv1.3 "$URL/tls13/$i" >/dev/null || fail "curl TLS 1.3 #$i"
	curl -sk --http1.1 --tlsv1.2 --tls-max 1.2 "$URL/tls12/$i" >/dev/null || fail "curl TLS 1.2 #$i"
done
wait_for_lines "$E2E_TMP/live.out" '^/tls12/' $N 30 || log "not all requests seen yet"
stop_tshark

assert_each_once "$E2E_TMP/live.out" /tls13/ $N
assert_each_once "$E2E_TMP/live.out" /tls12/ $N
assert_clean
log "PASS"
