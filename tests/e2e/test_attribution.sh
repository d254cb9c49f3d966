#!/usr/bin/env bash
# Who sent it: every captured packet names the process of the socket that sent it, for two
# concurrent clients and the server; a PID filter keeps another process's connection out
# entirely (the server's packets on the traced one still name the server); a connection opened
# before the capture started is attributed too (when plaintext is captured: in packets mode the
# data calls are not probed). Checked through frame.comment (stock Wireshark)
# and ecapture.pid (the plugin).
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl pgrep awk
require_installed_extcap
require_installed_plugin
start_nginx
WORKER=$(pgrep -P "$(cat "$NGINX_PID_FILE")" -x nginx | head -n1)
[ -n "$WORKER" ] || fail "no nginx worker"
URL="https://127.0.0.1:$TLS_PORT"
N=15
FIELDS=(-Y tcp -T fields -E separator=/t -e tcp.srcport -e tcp.dstport -e ecapture.pid
	-e frame.comment -e http.request.uri)

urls() { local p=$1 i; for i in $(seq $N); do printf '%s\n' "$URL/$p/$i"; done; }

# check_packets FILE: per packet, the pid in the comment is ecapture.pid, packets the server sent
# carry the nginx worker's pid, each client port carries one pid. Prints "port pid" per client.
check_packets() {
	awk -F'\t' -v sp="$TLS_PORT" -v worker="$WORKER" '
	{
		n++
		if ($3 == "") { print "packet without a pid: " $0 > "/dev/stderr"; bad++; next }
		if (match($4, / pid=[0-9]+ /) == 0 || substr($4, RSTART + 5, RLENGTH - 6) != $3) {
			print "comment and ecapture.pid disagree: " $0 > "/dev/stderr"; bad++
		}
		if ($1 == sp) {
			if ($3 != worker) { print "server packet not nginx: " $0 > "/dev/stderr"; bad++ }
		} else if ($2 == sp) {
			if (($1 in owner) && owner[$1] != $3) {
				print "port " $1 " has two pids: " $0 > "/dev/stderr"; bad++
			}
			owner[$1] = $3
		}
	}
	END {
		if (n == 0) { print "no packets" > "/dev/stderr"; exit 1 }
		for (p in owner) print p, owner[p]
		exit bad > 0
	}' "$1"
}

# count_uris FILE PREFIX PID: requests PREFIX/1..N each seen once, all with PID.
count_uris() {
	local file=$1 prefix=$2 pid=$3 seen wrong
	seen=$(awk -F'\t' -v p="$prefix/" 'index($5, p) == 1' "$file" | cut -f5 | sort -u | wc -l)
	wrong=$(awk -F'\t' -v p="$prefix/" -v pid="$pid" 'index($5, p) == 1 && $3 != pid' "$file" | wc -l)
	[ "$seen" -eq $N ] || fail "$prefix: $seen of $N requests seen"
	[ "$wrong" -eq 0 ] || fail "$prefix: $wrong requests with another pid than $pid"
	log "ok: $prefix/1..$N decrypted, all from pid $pid"
}

# two_clients NAME TRACEPOINT: two clients at once, no filter; the socket finder is on the raw
# tracepoint TRACEPOINT (sock_send_length, or sys_enter where the kernel lacks that one).
two_clients() {
	local name=$1 tracepoint=$2 a b
	gated_client "$name-a" curl -sk --http1.1 $(urls "$name-a") -o /dev/null
	a=$GATED_PID
	gated_client "$name-b" curl -sk --http1.1 $(urls "$name-b") -o /dev/null
	b=$GATED_PID
	start_tshark "$name" "${FIELDS[@]}"
	wait_attached "$name"
	bpftool link show 2>/dev/null | grep -q "tp '$tracepoint'" ||
		fail "no raw tracepoint link on $tracepoint: $(bpftool link show 2>/dev/null | grep "tp '")"
	open_gate "$name-a"
	open_gate "$name-b"
	wait "$a" "$b" || fail "a client failed"
	wait_for_lines "$E2E_TMP/$name.out" "/$name-b/$N\$" 1 20 || true
	wait_for_lines "$E2E_TMP/$name.out" "/$name-a/$N\$" 1 5 || true
	sleep 1
	stop_tshark
	check_packets "$E2E_TMP/$name.out" >"$E2E_TMP/owners.txt" || fail "attribution errors (see above)"
	[ "$(awk '{ print $2 }' "$E2E_TMP/owners.txt" | sort -u | tr '\n' ' ')" = "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ')" ] ||
		fail "client ports belong to $(cat "$E2E_TMP/owners.txt" | tr '\n' ';'), expected pids $a and $b"
	count_uris "$E2E_TMP/$name.out" "/$name-a" "$a"
	count_uris "$E2E_TMP/$name.out" "/$name-b" "$b"
	assert_clean
}

log "two clients at once, no filter"
# The kernel's own socket tracepoints (6.3 and later), else sys_enter: as ecapturedump probed it.
if timeout 60 "$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump" \
	--list-targets 2>/dev/null | grep -q '^kernel: socket finder: socket tracepoints'; then
	two_clients all sock_send_length
else
	two_clients all sys_enter
fi
log "the same with the socket finder on sys_enter (kernels before 6.3)"
ECAPTURE_NO_SOCKET_TRACEPOINTS=1 two_clients sysenter sys_enter

log "PID filter on one of two clients"
gated_client c curl -sk --http1.1 $(urls c) -o /dev/null
C=$GATED_PID
gated_client d curl -sk --http1.1 $(urls d) -o /dev/null
D=$GATED_PID
start_tshark pidf -o "extcap.ecapture_tls.pid:$C" "${FIELDS[@]}"
wait_attached pidf
open_gate c
open_gate d
wait "$C" "$D" || fail "a client failed"
wait_for_lines "$E2E_TMP/pidf.out" "/c/$N\$" 1 20 || true
sleep 3.5 # longer than the key wait: D's held packets would be dropped or written by now
stop_tshark
# Only C's connection: the packets C sent name C, those nginx sent on it name the worker (a
# packet names the process of the socket that sent it, traced or not).
check_packets "$E2E_TMP/pidf.out" >"$E2E_TMP/pidf-owners.txt" || fail "attribution errors (see above)"
[ "$(awk '{ print $2 }' "$E2E_TMP/pidf-owners.txt" | sort -u)" = "$C" ] ||
	fail "client ports of the filtered capture belong to $(tr '\n' ';' <"$E2E_TMP/pidf-owners.txt"), expected pid $C only"
grep -q '/d/' "$E2E_TMP/pidf.out" && fail "requests of the filtered-out client appear"
count_uris "$E2E_TMP/pidf.out" /c "$C"
assert_clean

# Only with plaintext: in packets mode the data calls are not probed, and such a connection,
# whose handshake the capture cannot see, is not captured at all.
log "a connection opened before the capture started (mode both)"
mkfifo "$E2E_TMP/sclient.in"
exec 7<>"$E2E_TMP/sclient.in"
openssl s_client -connect "127.0.0.1:$TLS_PORT" -quiet <&7 >"$E2E_TMP/sclient.out" 2>&1 &
S=$!
E2E_PIDS+=("$S")
for i in $(seq 50); do
	sport=$(ss -Htnp state established "( dport = :$TLS_PORT )" 2>/dev/null |
		awk -v s="pid=$S," 'index($0, s) { split($3, a, ":"); print a[length(a)] }')
	[ -n "$sport" ] && break
	sleep 0.1
done
[ -n "$sport" ] || fail "openssl s_client did not connect"
start_tshark pre -o extcap.ecapture_tls.mode:both "${FIELDS[@]}"
wait_attached pre
for i in 1 2 3; do
	printf 'GET /pre/%s HTTP/1.1\r\nHost: localhost\r\n\r\n' "$i" >&7
	sleep 0.3
done
wait_for_lines "$E2E_TMP/sclient.out" 'path /pre/3' 1 10 || fail "s_client got no answers"
sleep 1
stop_tshark
exec 7>&-
check_packets "$E2E_TMP/pre.out" >"$E2E_TMP/pre-owners.txt" || fail "attribution errors (see above)"
grep -qx "$sport $S" "$E2E_TMP/pre-owners.txt" ||
	fail "the earlier connection (port $sport) is not attributed to pid $S: $(cat "$E2E_TMP/pre-owners.txt")"
log "ok: port $sport -> pid $S"
assert_clean
log "PASS"
