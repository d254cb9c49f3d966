# Shared helpers of the end-to-end tests: a TLS web server on loopback, a live tshark on an
# ecapturedump interface, and the checks that nothing of ours is left behind.
# Every e2e test needs root, the installed extcap and real tools: a missing piece is a failure
# (tshark excepted: see require_tools).
set -euo pipefail

# One end-to-end test at a time on a machine: they share loopback, the installed extcap and the
# "nothing of ours is loaded" checks.
exec 9>/tmp/ecapture-e2e.lock
flock -w 1200 9 || { echo "another e2e test holds /tmp/ecapture-e2e.lock" >&2; exit 1; }
# Under the lock, the installed extcap and plugin are this build's (another build tree may have
# installed its own meanwhile).
if [ -n "${BUILD_DIR:-}" ]; then
	cmake --install "$BUILD_DIR" >/dev/null || { echo "cmake --install $BUILD_DIR failed" >&2; exit 1; }
fi

E2E_TMP=$(mktemp -d /tmp/ecapture-e2e.XXXXXX)
E2E_PIDS=()
NGINX_PID_FILE=
# Commands the cleanup runs last, after every process is stopped (a network namespace...).
E2E_ATEXIT=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
	local rc=$?
	for pid in "${E2E_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	if [ -n "$NGINX_PID_FILE" ] && [ -s "$NGINX_PID_FILE" ]; then
		kill "$(cat "$NGINX_PID_FILE")" 2>/dev/null || true
	fi
	wait 2>/dev/null || true
	for c in "${E2E_ATEXIT[@]}"; do eval "$c" || true; done
	if [ $rc -ne 0 ] && [ -d "$E2E_TMP" ]; then
		for f in "$E2E_TMP"/*.log "$E2E_TMP"/*.out "$E2E_TMP"/*.err; do
			[ -s "$f" ] || continue
			log "---- $(basename "$f") (last 40 lines)"
			tail -n 40 "$f" >&2
		done
	fi
	rm -rf "$E2E_TMP"
	exit $rc
}
trap cleanup EXIT

require_root() {
	[ "$(id -u)" -eq 0 ] || fail "the end-to-end tests load eBPF programs and must run as root"
}

# A missing tool fails the test, except Wireshark's own: without tshark there is nothing to test
# against, so the test is skipped (exit 77, which ctest reports as "Skipped") and says why.
E2E_SKIP=77
require_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		case "$t" in
		tshark | capinfos)
			log "SKIP: $t is not installed (apt-get install tshark): this test reads the capture with it"
			exit $E2E_SKIP
			;;
		esac
		fail "required tool not installed: $t"
	done
}

# make_test_cert: a self-signed certificate and key, $E2E_TMP/cert.pem and $E2E_TMP/key.pem.
make_test_cert() {
	[ -s "$E2E_TMP/cert.pem" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" >/dev/null 2>&1 ||
		fail "cannot make a test certificate"
}

# wait_https PORT: until a TLS server answers on 127.0.0.1:PORT.
wait_https() {
	local i
	for i in $(seq 50); do
		curl -sk --max-time 2 "https://127.0.0.1:$1/" -o /dev/null && return 0
		sleep 0.2
	done
	fail "nothing answers HTTPS on 127.0.0.1:$1"
}

# start_gnutls_serv: an HTTPS server whose keys no OpenSSL tracing sees (GnuTLS), on
# 127.0.0.1:$GNUTLS_PORT.
start_gnutls_serv() {
	make_test_cert
	GNUTLS_PORT=$(free_port)
	gnutls-serv --http --x509certfile "$E2E_TMP/cert.pem" --x509keyfile "$E2E_TMP/key.pem" \
		-p "$GNUTLS_PORT" >"$E2E_TMP/server.err" 2>&1 &
	E2E_PIDS+=("$!")
	wait_https "$GNUTLS_PORT"
}

# require_rootfs SUITE: sets ROOTFS to a Debian SUITE (bullseye, trixie) root file system with
# curl, built once with mmdebstrap from the Debian archive and kept in /var/cache/ecapture-roots
# (other releases' OpenSSL builds, as containers carry them). Skips the test when it cannot be
# built (no mmdebstrap, no archive).
require_rootfs() {
	local suite=$1 dir=/var/cache/ecapture-roots/$1
	ROOTFS=$dir
	[ -x "$dir/usr/bin/curl" ] && return 0
	command -v mmdebstrap >/dev/null 2>&1 || {
		log "SKIP: mmdebstrap is not installed (apt-get install mmdebstrap): no Debian $suite root"
		exit $E2E_SKIP
	}
	log "building the Debian $suite root in $dir (once)"
	mkdir -p /var/cache/ecapture-roots
	rm -rf "$dir.tmp"
	if ! timeout 600 mmdebstrap --variant=minbase --include=curl,ca-certificates "$suite" \
		"$dir.tmp" >"$E2E_TMP/mmdebstrap-$suite.log" 2>&1; then
		rm -rf "$dir.tmp"
		log "SKIP: cannot build the Debian $suite root: $(tail -1 "$E2E_TMP/mmdebstrap-$suite.log")"
		exit $E2E_SKIP
	fi
	mv "$dir.tmp" "$dir"
}

# The extcap Wireshark runs must be the one this build produced.
require_installed_extcap() {
	local dir
	dir=$(pkg-config --variable=libdir wireshark)/wireshark/extcap
	[ -x "$dir/ecapturedump" ] || fail "ecapturedump is not installed in $dir (run cmake --install)"
	grep -q 'ecapture-tls (eCapture TLS)' <<<"$(tshark -D 2>/dev/null)" ||
		fail "tshark -D does not list ecapture-tls"
}

# A free TCP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_nginx: HTTPS on 127.0.0.1:$TLS_PORT (HTTP/1.1, TLS 1.2 and 1.3, long keep-alive); every
# path answers 200 with the path itself. With NGINX_NETNS set, nginx runs in that network
# namespace and listens on $NGINX_ADDR there. With NGINX_HTTP2 set, it also speaks HTTP/2
# (ALPN h2).
# ab_requests N PATH: N HTTPS requests to the nginx of start_nginx, each on a new connection (ab
# -c 4), all completed; ab's report in $E2E_TMP/ab-PATH.out.
ab_requests() {
	ab -n "$1" -c 4 "https://127.0.0.1:$TLS_PORT/$2" >"$E2E_TMP/ab-$2.out" 2>&1 || fail "ab failed"
	grep -q "^Complete requests: *$1\$" "$E2E_TMP/ab-$2.out" || fail "ab: not all $1 requests completed"
}

# drop_count_sum FILE IF: the packets lost on interface IF of pcapng FILE, as its packets tell
# them (epb_dropcount, tshark's frame.drop_count), added up.
drop_count_sum() {
	tshark -r "$1" -Y "frame.drop_count && frame.interface_name == \"$2\"" -T fields \
		-e frame.drop_count 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# stat_entries FILE: capinfos' "Number of stat entries" of each interface of pcapng FILE, one
# per line (what Wireshark read of its statistics blocks; it shows drops only from exactly one);
# fails as capinfos does (its output in $E2E_TMP/capinfos.out).
stat_entries() {
	capinfos -I "$1" >"$E2E_TMP/capinfos.out" 2>&1 || return
	sed -n 's/.*Number of stat entries = \([0-9]*\).*/\1/p' "$E2E_TMP/capinfos.out"
}

start_nginx() {
	local addr=${NGINX_ADDR:-127.0.0.1} in_ns=()
	[ -n "${NGINX_NETNS:-}" ] && in_ns=(ip netns exec "$NGINX_NETNS")
	TLS_PORT=$(free_port)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=localhost -keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" 2>/dev/null
	mkdir -p "$E2E_TMP/nginx"
	NGINX_PID_FILE="$E2E_TMP/nginx/nginx.pid"
	cat >"$E2E_TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $NGINX_PID_FILE;
error_log $E2E_TMP/nginx-error.log;
events { worker_connections 256; }
http {
	access_log $E2E_TMP/nginx-access.log;
	client_body_temp_path $E2E_TMP/nginx;
	proxy_temp_path $E2E_TMP/nginx;
	fastcgi_temp_path $E2E_TMP/nginx;
	uwsgi_temp_path $E2E_TMP/nginx;
	scgi_temp_path $E2E_TMP/nginx;
	keepalive_requests 10000;
	keepalive_timeout 60s;
	server {
		listen $addr:$TLS_PORT ssl${NGINX_HTTP2:+ http2};
		ssl_certificate $E2E_TMP/cert.pem;
		ssl_certificate_key $E2E_TMP/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_session_tickets off;
		ssl_session_cache off;
		location / { default_type text/plain; return 200 "path \$uri\n"; }
	}
}
CONF
	# 9>&-: the daemon must not inherit the machine-wide lock (a killed test would leave it held).
	"${in_ns[@]}" nginx -c "$E2E_TMP/nginx/nginx.conf" -p "$E2E_TMP/nginx" \
		-e "$E2E_TMP/nginx-error.log" 9>&- || fail "nginx did not start"
	local i
	for i in $(seq 50); do
		"${in_ns[@]}" curl -sk --max-time 2 "https://$addr:$TLS_PORT/up" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "nginx does not answer on $addr:$TLS_PORT${NGINX_NETNS:+ in network namespace $NGINX_NETNS}"
}

# start_tshark NAME ARGS...: tshark -i ecapture-tls in the background, stdout to $E2E_TMP/NAME.out,
# ecapturedump's log to $E2E_TMP/NAME.log.
start_tshark() {
	local name=$1
	shift
	tshark -i ecapture-tls -l -o "extcap.ecapture_tls.logfile:$E2E_TMP/$name.log" "$@" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" 9>&- &
	TSHARK_PID=$!
	E2E_PIDS+=("$TSHARK_PID")
}

# start_tshark_on IFACE NAME ARGS...: the same on another ecapturedump interface (ecapture-bash...).
start_tshark_on() {
	local iface=$1 name=$2
	shift 2
	tshark -i "$iface" -l -o "extcap.${iface//-/_}.logfile:$E2E_TMP/$name.log" "$@" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" &
	TSHARK_PID=$!
	E2E_PIDS+=("$TSHARK_PID")
}

# wait_attached NAME: until ecapturedump says it is capturing (its probes are all attached).
wait_attached() {
	local name=$1 i
	for i in $(seq 150); do
		grep -q 'capturing:' "$E2E_TMP/$name.log" 2>/dev/null && return 0
		kill -0 "$TSHARK_PID" 2>/dev/null || fail "tshark exited early: $(cat "$E2E_TMP/$name.err")"
		sleep 0.2
	done
	fail "ecapturedump never started capturing: $(cat "$E2E_TMP/$name.log" 2>/dev/null)"
}

# gated_client NAME CMD...: a client process that exists now but starts CMD (exec: same pid)
# only when open_gate NAME is called. Sets GATED_PID.
gated_client() {
	local name=$1
	shift
	mkfifo "$E2E_TMP/gate-$name"
	sh -c 'read _ < "$0"; exec "$@"' "$E2E_TMP/gate-$name" "$@" \
		>"$E2E_TMP/$name.client" 2>&1 &
	GATED_PID=$!
	E2E_PIDS+=("$GATED_PID")
}

open_gate() { echo go >"$E2E_TMP/gate-$1"; }

# The plugin must be installed where Wireshark loads it (root ignores personal plugins).
require_installed_plugin() {
	grep -qP '^eCapture\t' <<<"$(tshark -G protocols 2>/dev/null)" ||
		fail "the eCapture dissector plugin is not loaded by tshark (run cmake --install)"
}

# wait_capturing NAME: make marked requests until one shows up decrypted in NAME.out, so the
# capture is known to be live. The marker requests use /ready-* paths.
wait_capturing() {
	local name=$1 i
	for i in $(seq 60); do
		curl -sk --http1.1 --max-time 2 "https://127.0.0.1:$TLS_PORT/ready-$i" >/dev/null 2>&1 || true
		if grep -q '^/ready-' "$E2E_TMP/$name.out" 2>/dev/null; then
			return 0
		fi
		kill -0 "$TSHARK_PID" 2>/dev/null || fail "tshark exited early: $(cat "$E2E_TMP/$name.err")"
		sleep 0.5
	done
	fail "the capture never showed a decrypted request"
}

# wait_for_lines FILE PATTERN COUNT TIMEOUT: until COUNT lines of FILE match PATTERN.
wait_for_lines() {
	local file=$1 pattern=$2 count=$3 timeout=$4 i n
	for i in $(seq $((timeout * 2))); do
		n=$(grep -c -- "$pattern" "$file" 2>/dev/null || true)
		[ "${n:-0}" -ge "$count" ] && return 0
		sleep 0.5
	done
	return 1
}

# stop_tshark: SIGINT, as a user pressing Ctrl-C, then wait for it to exit.
stop_tshark() {
	kill -INT "$TSHARK_PID" 2>/dev/null || true
	local i
	for i in $(seq 40); do
		kill -0 "$TSHARK_PID" 2>/dev/null || break
		sleep 0.25
	done
	kill -0 "$TSHARK_PID" 2>/dev/null && fail "tshark did not stop on SIGINT"
	wait "$TSHARK_PID" 2>/dev/null || true
}

# uprobe_counts PID: "MULTI PERF", the uprobe_multi links (entry and return) and the perf-event uprobes process PID
# holds, as the kernel lists them: the link_type of its BPF link fds (fdinfo; bpftool 7.1 does not
# know uprobe_multi) and bpftool perf show.
uprobe_counts() {
	local pid=$1 multi perf
	multi=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -cE '^link_type:[[:space:]]*u(ret)?probe_multi$' || true)
	perf=$(bpftool perf show 2>/dev/null | grep -cE "^pid $pid +fd [0-9]+: prog_id [0-9]+ +u(ret)?probe " || true)
	echo "$multi $perf"
}

# kernel_uprobes: "multi" when the running kernel has uprobe_multi links (6.6 and later), else "perf":
# how a capture attaches its uprobes when nothing forces perf uprobes (the kernels of tests/vm).
kernel_uprobes() {
	if grep -qw bpf_uprobe_multi_link_attach /proc/kallsyms; then echo multi; else echo perf; fi
}

# kernel_charges_memlock: the running kernel charges BPF memory to RLIMIT_MEMLOCK (before 5.11:
# no memcg accounting, whose allocator came with it): a capture by someone other than root needs
# a locked-memory limit raised by the administrator there.
kernel_charges_memlock() { ! grep -qw bpf_map_kmalloc_node /proc/kallsyms; }

# kernel_has_tcx: the running kernel has tcx links (6.6 and later); without them packets come
# through clsact filters.
kernel_has_tcx() { grep -qw tcx_link_attach /proc/kallsyms; }

# assert_uprobes PID multi|perf: ecapturedump PID attached its uprobes that way, and only that way.
assert_uprobes() {
	local pid=$1 want=$2 multi perf
	read -r multi perf <<<"$(uprobe_counts "$pid")"
	case $want in
	multi) [ "$multi" -gt 0 ] && [ "$perf" -eq 0 ] ;;
	perf) [ "$multi" -eq 0 ] && [ "$perf" -gt 0 ] ;;
	*) false ;;
	esac || fail "want $want uprobes for pid $pid: $multi uprobe_multi links, $perf perf uprobes"
	log "ok: pid $pid: $want uprobes ($multi uprobe_multi links, $perf perf uprobes)"
}

# Nothing of ours may stay loaded or attached once a capture is over. Every link (tcx, uprobe)
# holds its program, so no ec_* program loaded means no link of ours either.
assert_clean() {
	local i left
	for i in $(seq 40); do
		pgrep -x ecapturedump >/dev/null || break
		sleep 0.25
	done
	pgrep -x ecapturedump >/dev/null && fail "ecapturedump is still running"
	# The kernel frees a program after an RCU grace period: give it a moment.
	for i in $(seq 40); do
		left=$(bpftool prog show 2>/dev/null | grep -E ' name ec_' || true)
		[ -z "$left" ] && break
		sleep 0.25
	done
	[ -z "$left" ] || fail "BPF programs left loaded: $left"
	left=$(tc filter show dev lo egress 2>/dev/null; tc filter show dev lo ingress 2>/dev/null)
	[ -z "$left" ] || fail "TC filters left on lo: $left"
	return 0
}

# assert_each_once FILE PREFIX N: lines PREFIX1..PREFIXN each appear exactly once in FILE.
assert_each_once() {
	local file=$1 prefix=$2 n=$3 i c missing=0 dup=0
	for i in $(seq "$n"); do
		c=$(grep -cx -- "$prefix$i" "$file" || true)
		if [ "$c" -eq 0 ]; then missing=$((missing + 1)); log "missing: $prefix$i"; fi
		if [ "$c" -gt 1 ]; then dup=$((dup + 1)); log "seen $c times: $prefix$i"; fi
	done
	[ $missing -eq 0 ] && [ $dup -eq 0 ] || fail "$prefix*: $missing missing, $dup duplicated of $n"
	log "ok: all $n of $prefix* exactly once"
}

# capture_plaintext NAME PIDS FILTER FIELD LAST [TSHARK ARGS...]: open the gate of client NAME
# under a plaintext-mode capture tracing PIDS alone; when the client has exited and a line of
# NAME.out matches LAST, stop. NAME.out holds "pid<TAB>FIELD" for each record FILTER matches.
capture_plaintext() {
	local name=$1 pids=$2 filter=$3 field=$4 last=$5
	shift 5
	start_tshark "$name" -o extcap.ecapture_tls.mode:plaintext -o "extcap.ecapture_tls.pid:$pids" \
		-Y "$filter" -T fields -E separator=/t -e ecapture.pid -e "$field" "$@"
	wait_attached "$name"
	open_gate "$name"
	wait "$GATED_PID" || fail "$name failed: $(cat "$E2E_TMP/$name.client")"
	wait_for_lines "$E2E_TMP/$name.out" "$last" 1 20 || log "$name: the last record not seen yet"
	stop_tshark
	[ -s "$E2E_TMP/$name.out" ] || fail "no record of $name matches $filter: $(tail -5 "$E2E_TMP/$name.log")"
}

# start_mariadb [MARIADBD ARGS...]: a MariaDB server of its own (data in $E2E_TMP/mariadb, the
# directory DB; mysql owns it) on 127.0.0.1:$PORT (a free port), up and answering; its pid in SERVER.
start_mariadb() {
	local i
	DB=$E2E_TMP/mariadb
	mkdir -p "$DB/data"
	chown -R mysql: "$DB"
	PORT=$(free_port)
	log "starting MariaDB on 127.0.0.1:$PORT"
	mariadb-install-db --no-defaults --datadir="$DB/data" --user=mysql \
		--auth-root-authentication-method=normal --skip-test-db >"$E2E_TMP/install.log" 2>&1 ||
		fail "mariadb-install-db failed"
	mariadbd --no-defaults --datadir="$DB/data" --user=mysql --port="$PORT" --bind-address=127.0.0.1 \
		--socket="$DB/sock" --pid-file="$DB/pid" --log-error="$E2E_TMP/mariadb.log" --skip-log-bin \
		--innodb-buffer-pool-size=16M "$@" 9>&- &
	SERVER=$!
	E2E_PIDS+=("$SERVER")
	for i in $(seq 100); do
		mariadb-admin --no-defaults -h 127.0.0.1 -P "$PORT" -u root ping >/dev/null 2>&1 && return 0
		kill -0 "$SERVER" 2>/dev/null || fail "mariadbd exited: $(tail -5 "$E2E_TMP/mariadb.log")"
		sleep 0.2
	done
}
