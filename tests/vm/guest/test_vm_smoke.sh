#!/usr/bin/env bash
# The VM smoke test (tests/vm): tshark -i ecapture-tls live while a shell loop runs curl against
# nginx; every request of the loop is decrypted exactly once, with the pid of the curl that made
# it. Also tells how the kernel let ecapturedump attach (tcx or clsact, uprobe_multi or perf
# uprobes): run.sh prints the "mechanism:" line.
source "$(dirname "$0")/../e2e/lib.sh"
require_root
require_tools tshark curl nginx openssl bpftool tc python3
require_installed_extcap
require_installed_plugin
start_nginx
start_tshark live -Y http.request -T fields -E separator=/t -e http.request.uri -e ecapture.pid
wait_capturing live

ecd=$(pgrep -nx ecapturedump)
# The kernel names each BPF link's type in its fdinfo (bookworm's bpftool does not know tcx).
tcx=$(cat /proc/"$ecd"/fdinfo/* 2>/dev/null | grep -cE '^link_type:[[:space:]]*tcx$' || true)
# Ours on lo, either direction (on loopback one direction sees every packet).
clsact=$({ tc filter show dev lo ingress; tc filter show dev lo egress; } 2>/dev/null | grep -c ' bpf .* ec_' || true)
read -r multi perf <<<"$(uprobe_counts "$ecd")"
log "mechanism: packets by $([ "$tcx" -gt 0 ] && echo tcx || { [ "$clsact" -gt 0 ] && echo clsact || echo none; }) ($tcx tcx links, $clsact clsact filters on lo); uprobes by $([ "$multi" -gt 0 ] && echo uprobe_multi || echo perf) ($multi uprobe_multi links, $perf perf uprobes)"

N=20
for i in $(seq $N); do
	curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/loop/$i" >/dev/null &
	echo "$!" >"$E2E_TMP/pid.$i"
	wait $! || fail "curl #$i"
done
wait_for_lines "$E2E_TMP/live.out" '/loop/' $N 30 || log "not all requests seen yet"
stop_tshark
cut -f1 "$E2E_TMP/live.out" >"$E2E_TMP/uris"
assert_each_once "$E2E_TMP/uris" /loop/ $N
for i in $(seq $N); do
	want=$(cat "$E2E_TMP/pid.$i")
	got=$(awk -F'\t' -v u="/loop/$i" '$1 == u { print $2 }' "$E2E_TMP/live.out")
	[ "$got" = "$want" ] || fail "/loop/$i: pid '$got', curl was $want"
done
log "ok: every request with its curl's pid"
assert_clean
log "PASS"
