#!/usr/bin/env bash
# Capture on another machine: the "remote host" is a network namespace on this machine with its
# own sshd, nginx and curl (their TLS traffic on the namespace's own lo). The workstation side
# runs ecapturedump there over SSH, as the README says:
#  1. Wireshark's sshdump extcap (tshark -i sshdump, remote capture command "ecapturedump -w -"),
#     saved with -w and read back: every request decrypted, named with the remote curl's pid.
#  2. Plain ssh ('ecapturedump -w -', by name) piped into tshark -i -: requests show up live (the stream is flushed as it goes),
#     and the remote capture stops when the ssh client goes away.
#  3. Plain ssh whose reader (tshark) goes away: the remote capture stops at the next packet.
# After each, no ecapturedump runs and nothing of ours is loaded or attached, on the host or in
# the namespace.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl bpftool tc ip ssh ssh-keygen sshd pkg-config
require_installed_extcap
require_installed_plugin
EXTCAP_DIR=$(pkg-config --variable=libdir wireshark)/wireshark/extcap
EXTCAP=$EXTCAP_DIR/ecapturedump
[ -x "$EXTCAP_DIR/sshdump" ] || fail "Wireshark's sshdump is not installed in $EXTCAP_DIR"
grep -q sshdump <<<"$(tshark -D 2>/dev/null)" || fail "tshark -D does not list sshdump"

NS=ecapture-e2e-ssh
VETH=ec-ssh-h
HOST_IP=10.77.0.1
NS_IP=10.77.0.2
in_ns() { ip netns exec "$NS" "$@"; }

# Everything in the namespace is this test's (a run killed before its cleanup leaves it): stop
# it, then remove the namespace (its end of the veth pair goes with it, and the pair with it).
remove_ns() {
	local pids i
	grep -qw "$NS" <<<"$(ip netns list 2>/dev/null)" || return 0
	for i in $(seq 20); do
		pids=$(ip netns pids "$NS" 2>/dev/null || true)
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086
		kill $pids 2>/dev/null || true
		sleep 0.25
	done
	pids=$(ip netns pids "$NS" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	ip link del "$VETH" 2>/dev/null || true
}
remove_ns
E2E_ATEXIT+=(remove_ns)

log "the remote host: network namespace $NS, $NS_IP (host side $HOST_IP)"
[ -z "$(ip -4 -o addr show to 10.77.0.0/24)" ] || fail "10.77.0.0/24 is already in use here"
ip netns add "$NS"
ip link add "$VETH" type veth peer name ec-ssh-n
ip link set ec-ssh-n netns "$NS"
ip addr add "$HOST_IP/24" dev "$VETH"
ip link set "$VETH" up
in_ns ip addr add "$NS_IP/24" dev ec-ssh-n
in_ns ip link set ec-ssh-n up
in_ns ip link set lo up

log "its sshd: own host key, key login for root"
SSH_DIR=$E2E_TMP/ssh
mkdir -m 700 "$SSH_DIR"
ssh-keygen -q -t ed25519 -N '' -C ecapture-e2e-host -f "$SSH_DIR/host_key"
ssh-keygen -q -t ed25519 -N '' -C ecapture-e2e-user -f "$SSH_DIR/id_ed25519"
cp "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/authorized_keys"
chmod 600 "$SSH_DIR/authorized_keys"
cat >"$SSH_DIR/sshd_config" <<CONF
ListenAddress $NS_IP
Port 22
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CONF
mkdir -p /run/sshd
in_ns "$(command -v sshd)" -f "$SSH_DIR/sshd_config" -D -e >"$E2E_TMP/sshd.log" 2>&1 9>&- &
E2E_PIDS+=("$!")
SSH=(ssh -i "$SSH_DIR/id_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "root@$NS_IP")
for i in $(seq 50); do
	"${SSH[@]}" true 9>&- 2>/dev/null && break
	sleep 0.2
done
remote_ns=$("${SSH[@]}" readlink /proc/self/ns/net 9>&-) || fail "cannot log in over ssh: $(tail -3 "$E2E_TMP/sshd.log")"
[ "$remote_ns" = "$(readlink "/run/netns/$NS" 2>/dev/null || in_ns readlink /proc/self/ns/net)" ] ||
	fail "the ssh session runs in $remote_ns, not in the namespace $NS"
log "ok: ssh root@$NS_IP logs in, in the namespace"
# The README's plain-ssh form runs "ecapturedump" by name: the install's symlink in PATH.
remote_bin=$("${SSH[@]}" 'readlink -f "$(command -v ecapturedump)"' 9>&-) || true
[ "$remote_bin" = "$(readlink -f "$EXTCAP")" ] ||
	fail "over ssh, ecapturedump is \"$remote_bin\", not the installed $EXTCAP"

NGINX_NETNS=$NS NGINX_ADDR=$NS_IP start_nginx
URL="https://$NS_IP:$TLS_PORT"
N=10

# clients NAME: two curls in the namespace, N requests each (/NAME-a/1.., /NAME-b/1..) on one
# connection each; sets A and B to their pids (the pids the capture must name).
clients() {
	local name=$1 i urls_a=() urls_b=()
	for i in $(seq $N); do
		urls_a+=("$URL/$name-a/$i")
		urls_b+=("$URL/$name-b/$i")
	done
	gated_client "$name-a" ip netns exec "$NS" curl -sk --http1.1 "${urls_a[@]}" -o /dev/null
	A=$GATED_PID
	gated_client "$name-b" ip netns exec "$NS" curl -sk --http1.1 "${urls_b[@]}" -o /dev/null
	B=$GATED_PID
	open_gate "$name-a"
	open_gate "$name-b"
	wait "$A" "$B" || fail "$name: a client failed: $(cat "$E2E_TMP/$name-a.client" "$E2E_TMP/$name-b.client")"
}

# check_requests FILE NAME: in FILE (uri TAB pid lines), /NAME-a/1..N and /NAME-b/1..N each
# exactly once, with the pid of the curl that sent it.
check_requests() {
	local file=$1 name=$2 c pid
	for c in a b; do
		[ $c = a ] && pid=$A || pid=$B
		cut -f1 "$file" >"$file.uris"
		assert_each_once "$file.uris" "/$name-$c/" $N
		wrong=$(awk -F'\t' -v p="/$name-$c/" -v pid="$pid" 'index($1, p) == 1 && $2 != pid' "$file")
		[ -z "$wrong" ] || fail "/$name-$c/ requests not from curl pid $pid: $wrong"
		log "ok: /$name-$c/1..$N decrypted, from the remote curl, pid $pid"
	done
}

# wait_remote LOG: until the remote ecapturedump (its log on this shared file system) captures.
wait_remote() {
	local i
	for i in $(seq 150); do
		grep -q 'capturing:' "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	fail "the remote ecapturedump never started capturing: $(cat "$1" 2>/dev/null)"
}

# remote_stopped SECONDS: until no ecapturedump runs any more (in the namespace or here).
remote_stopped() {
	local i
	for i in $(seq $(($1 * 4))); do
		pgrep -x ecapturedump >/dev/null || return 0
		sleep 0.25
	done
	return 1
}

# ns_capture_running: an ecapturedump runs in the namespace.
ns_capture_running() {
	local p
	for p in $(ip netns pids "$NS"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ecapturedump ] && return 0
	done
	return 1
}

# assert_clean_ns: nothing of ours attached to the namespace's interfaces either.
assert_clean_ns() {
	local left dev
	assert_clean
	for dev in lo ec-ssh-n; do
		left=$(in_ns tc filter show dev "$dev" egress 2>/dev/null; in_ns tc filter show dev "$dev" ingress 2>/dev/null)
		[ -z "$left" ] || fail "TC filters left on $dev in $NS: $left"
	done
	left=$(in_ns bpftool net show 2>/dev/null | grep -E 'ec_' || true)
	[ -z "$left" ] || fail "BPF programs left attached in $NS: $left"
	log "ok: nothing of ours left, here or in $NS"
}

# ssh_pipe NAME [ARG...]: ssh root@NS 'ecapturedump ARG... -w -' | tshark -i - (through a FIFO,
# to know both pids: SSH_PID, TSHARK_PID); tshark prints uri and pid per request in NAME.out.
ssh_pipe() {
	local name=$1
	shift
	mkfifo "$E2E_TMP/$name.pipe"
	"${SSH[@]}" "ecapturedump $* -w - --log-file $E2E_TMP/remote-$name.log" \
		>"$E2E_TMP/$name.pipe" 2>"$E2E_TMP/ssh-$name.err" 9>&- &
	SSH_PID=$!
	E2E_PIDS+=("$SSH_PID")
	tshark -i - -l "${FIELDS[@]}" <"$E2E_TMP/$name.pipe" >"$E2E_TMP/$name.out" \
		2>"$E2E_TMP/tshark-$name.err" 9>&- &
	TSHARK_PID=$!
	E2E_PIDS+=("$TSHARK_PID")
	wait_remote "$E2E_TMP/remote-$name.log"
}

FIELDS=(-Y http.request -T fields -E separator=/t -e http.request.uri -e ecapture.pid)

log "1. Wireshark's sshdump runs ecapturedump -w - on the remote host"
REMOTE_CMD="$EXTCAP -w - --log-file $E2E_TMP/remote-sshdump.log"
tshark -i sshdump \
	-o "extcap.sshdump.remotehost:$NS_IP" -o extcap.sshdump.remoteport:22 \
	-o extcap.sshdump.remoteusername:root -o "extcap.sshdump.sshkey:$SSH_DIR/id_ed25519" \
	-o extcap.sshdump.remotecapturecommandselect:other \
	-o "extcap.sshdump.remotecapturecommand:$REMOTE_CMD" \
	-o "extcap.sshdump.logfile:$E2E_TMP/sshdump.log" -o extcap.sshdump.loglevel:debug \
	-w "$E2E_TMP/sshdump.pcapng" >"$E2E_TMP/tshark-sshdump.out" 2>"$E2E_TMP/tshark-sshdump.err" 9>&- &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")
wait_remote "$E2E_TMP/remote-sshdump.log"
grep -q "Running: $REMOTE_CMD\$" "$E2E_TMP/sshdump.log" ||
	fail "sshdump did not run the command as given: $(grep 'Running:' "$E2E_TMP/sshdump.log")"
clients sd
for i in $(seq 40); do
	n=$(tshark -r "$E2E_TMP/sshdump.pcapng" -Y http.request 2>/dev/null | wc -l || true)
	[ "$n" -ge $((2 * N)) ] && break
	sleep 0.5
done
stop_tshark
remote_stopped 10 || fail "the remote ecapturedump still runs after tshark -i sshdump stopped"
grep -q 'the reader closed the capture pipe' "$E2E_TMP/remote-sshdump.log" ||
	fail "the remote ecapturedump did not stop on its closed stdout: $(tail -5 "$E2E_TMP/remote-sshdump.log")"
tshark -r "$E2E_TMP/sshdump.pcapng" "${FIELDS[@]}" >"$E2E_TMP/sshdump.txt" 2>"$E2E_TMP/sshdump-read.err" ||
	fail "tshark cannot read the sshdump capture"
check_requests "$E2E_TMP/sshdump.txt" sd
# The keys came in the stream: the saved file carries them.
dsbs=$(python3 - "$E2E_TMP/sshdump.pcapng" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, n = 0, 0
while off + 12 <= len(d):
    t, l = struct.unpack_from('<II', d, off)
    if l < 12: break
    n += t == 0x0A
    off += l
print(n)
PY
)
[ "$dsbs" -gt 0 ] || fail "the saved capture holds no Decryption Secrets Block"
log "ok: the saved capture holds $dsbs Decryption Secrets Blocks"
assert_clean_ns

log "2. plain ssh: ssh root@$NS_IP 'ecapturedump -w -' | tshark -i -"
ssh_pipe ssh
clients live
# Live: the requests arrive while the capture runs, not when it ends.
wait_for_lines "$E2E_TMP/ssh.out" "^/live-a/$N	" 1 10 && wait_for_lines "$E2E_TMP/ssh.out" "^/live-b/$N	" 1 5 ||
	fail "the requests did not arrive live through ssh: $(wc -l <"$E2E_TMP/ssh.out") lines"
pgrep -x ecapturedump >/dev/null || fail "the remote ecapturedump is not running any more"
check_requests "$E2E_TMP/ssh.out" live
log "the ssh client goes away (SIGTERM): the remote capture must stop without further traffic"
kill -TERM "$SSH_PID"
remote_stopped 10 || fail "the remote ecapturedump still runs 10 s after its ssh client went away"
grep -q 'the reader closed the capture pipe' "$E2E_TMP/remote-ssh.log" ||
	fail "the remote ecapturedump did not stop on its closed stdout: $(tail -5 "$E2E_TMP/remote-ssh.log")"
for i in $(seq 20); do kill -0 "$TSHARK_PID" 2>/dev/null || break; sleep 0.25; done
kill -0 "$TSHARK_PID" 2>/dev/null && fail "tshark -i - did not end with its input"
wait "$TSHARK_PID" 2>/dev/null || true
assert_clean_ns

log "3. plain ssh whose reader goes away: the remote capture stops at the next packet"
ssh_pipe reader
kill -TERM "$TSHARK_PID"
wait "$TSHARK_PID" 2>/dev/null || true
for i in $(seq 20); do
	in_ns curl -sk --http1.1 --max-time 2 "$URL/after-reader/$i" >/dev/null || true
	kill -0 "$SSH_PID" 2>/dev/null || break
	sleep 0.5
done
kill -0 "$SSH_PID" 2>/dev/null && fail "ssh still runs after its reader went away and packets came"
remote_stopped 10 || fail "the remote ecapturedump still runs after its ssh client ended"
grep -q 'the reader closed the capture pipe' "$E2E_TMP/remote-reader.log" ||
	fail "the remote ecapturedump did not stop on its closed stdout: $(tail -5 "$E2E_TMP/remote-reader.log")"
assert_clean_ns

log "4. clsact filters (--tc-legacy) on the remote host and here at once: each removes its own qdisc"
# Interface indexes repeat across network namespaces (lo is 1 in both): a capture must not take
# the other's qdisc for its own, nor leave its own behind.
has_clsact() { [[ $("$@" tc qdisc show dev lo) == *clsact* ]]; }
if has_clsact || has_clsact in_ns; then fail "a clsact qdisc is on lo already: this part cannot tell"; fi
"$EXTCAP" --tc-legacy --netif lo -w /dev/null --log-file "$E2E_TMP/host-legacy.log" 9>&- &
HOST_CAPTURE=$!
E2E_PIDS+=("$HOST_CAPTURE")
wait_remote "$E2E_TMP/host-legacy.log"
has_clsact || fail "the capture here made no clsact qdisc on lo"
ssh_pipe legacy --tc-legacy
has_clsact in_ns || fail "the remote capture made no clsact qdisc on the namespace's lo"
clients legacy
wait_for_lines "$E2E_TMP/legacy.out" "^/legacy-a/$N	" 1 10 && wait_for_lines "$E2E_TMP/legacy.out" "^/legacy-b/$N	" 1 5 ||
	fail "the requests did not arrive through the remote clsact capture"
check_requests "$E2E_TMP/legacy.out" legacy
kill -TERM "$SSH_PID"
for i in $(seq 40); do
	ns_capture_running || break
	sleep 0.25
done
ns_capture_running && fail "the remote ecapturedump still runs 10 s after its ssh client went away"
grep -q 'the reader closed the capture pipe' "$E2E_TMP/remote-legacy.log" ||
	fail "the remote capture did not stop: $(tail -3 "$E2E_TMP/remote-legacy.log")"
sleep 0.5
has_clsact in_ns && fail "the remote capture left its clsact qdisc on the namespace's lo"
has_clsact || fail "the remote capture removed the clsact qdisc of the capture here"
[ -n "$(tc filter show dev lo ingress; tc filter show dev lo egress)" ] || fail "the capture here lost its filter"
log "ok: the remote capture removed its own qdisc and left the one here"
kill -INT "$HOST_CAPTURE"
wait "$HOST_CAPTURE" || fail "the capture here failed: $(tail -3 "$E2E_TMP/host-legacy.log")"
has_clsact && fail "the capture here left its clsact qdisc on lo"
log "ok: the capture here removed its own qdisc"
assert_clean_ns
log "PASS"
