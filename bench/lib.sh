# shellcheck shell=bash
# Shared helpers of bench/run.sh and its sections (sourced, not run). They expect from run.sh:
# BUILD_DIR, EC (ecapturedump), BIN (the bench binaries), TMP (scratch), OUT (tables and data),
# LIBSSL, and fd 9 open on the machine's capture lock.

# Nothing else that captures or measures may run meanwhile (the e2e tests take the same lock):
# hold it for one section at a time, never across the whole suite.
locked() {
	local t0=$SECONDS
	flock 9
	[ $((SECONDS - t0)) -lt 2 ] || note "(waited $((SECONDS - t0)) s for the capture lock)"
	local rc=0
	"$@" || rc=$?
	flock -u 9
	return "$rc"
}

note() { printf '%s\n' "$*" >&2; }

now() { date +%s.%N; }

# wait_for FILE TEXT [SECONDS]: until FILE holds TEXT; fails after SECONDS (default 60).
wait_for() {
	local file=$1 text=$2 limit=${3:-60} i
	for ((i = 0; i < limit * 100; i++)); do
		grep -q -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.01
	done
	note "timed out waiting for '$text' in $file"
	return 1
}

# The median of the numbers on stdin (one a line).
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'
}

# calc EXPR: floating-point arithmetic, two decimals.
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# ratio A B: A/B with two decimals, or "-" when B is not a positive number.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# ---------------------------------------------------------------------------------------------
# ecapturedump: ec_start LABEL [ARGS...] runs it (stdout to $EC_OUT, a file or FIFO, default
# /dev/null; stderr to $EC_ERR) and waits until it captures; ec_stop stops it with SIGINT, appends its CPU
# seconds and peak RSS to the resources table, and leaves its end-of-run log in $EC_ERR.
# ---------------------------------------------------------------------------------------------
EC_PID=
ec_start() {
	EC_LABEL=$1
	shift
	EC_ERR=$TMP/ec.err
	: >"$EC_ERR"
	"$EC" "$@" >"${EC_OUT:-/dev/null}" 2>"$EC_ERR" 9>&- &
	EC_PID=$!
	if ! wait_for "$EC_ERR" capturing: 120; then
		cat "$EC_ERR" >&2
		ec_stop
		return 1
	fi
}

# CPU seconds (user + system) and VmHWM of process PID, as "CPU RSS_MB".
proc_usage() {
	local pid=$1 hz
	hz=$(getconf CLK_TCK)
	local cpu rss
	cpu=$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat" 2>/dev/null || echo -)
	rss=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo -)
	echo "$cpu $rss"
}

ec_stop() {
	[ -n "$EC_PID" ] || return 0
	local cpu rss
	read -r cpu rss <<<"$(proc_usage "$EC_PID")"
	kill -INT "$EC_PID" 2>/dev/null || true
	wait "$EC_PID" || true
	printf '| %s | %s | %s |\n' "$EC_LABEL" "$cpu" "$rss" >>"$OUT/resources.rows"
	EC_PID=
}

# The numbers ecapturedump's end-of-run log says were lost or dropped, summed.
ec_reported_lost() {
	grep -oE '[0-9]+ (lost|dropped)' "$EC_ERR" | awk '{ s += $1 } END { print s + 0 }'
}

# ---------------------------------------------------------------------------------------------
# Peer tools: a data-capturing bpftrace script and bcc's sslsniff (stdout to FILE).
# peer_start bpftrace|sslsniff FILE [STAMPED]; peer_stop. PEER_WHY says why one cannot run.
# ---------------------------------------------------------------------------------------------
PEER_PID=
peer_start() {
	local tool=$1 file=$2 stamped=${3:-} ready
	: >"$file"
	: >"$TMP/peer.err"
	# With STAMPED, the output also goes through stamp as it comes (latency).
	if [ -n "$stamped" ]; then
		exec 8> >(tee -a "$file" | "$BIN/stamp" lines "$LAT_PREFIX" >"$stamped")
	else
		exec 8>>"$file"
	fi
	case $tool in
	bpftrace)
		sed "s|@LIBSSL@|$LIBSSL|g" bench/ssl_data.bt >"$TMP/ssl_data.bt"
		BPFTRACE_STRLEN=200 bpftrace "$TMP/ssl_data.bt" >&8 2>"$TMP/peer.err" 9>&- 8>&- &
		ready="Attaching"
		;;
	sslsniff)
		env ${BCC_KERNEL:+"BCC_KERNEL_SOURCE=$BCC_KERNEL"} PYTHONUNBUFFERED=1 \
			/usr/bin/python3 "$TMP/sslsniff.py" >&8 2>"$TMP/peer.err" 9>&- 8>&- &
		ready="FUNC"
		;;
	esac
	PEER_PID=$!
	exec 8>&-
	# bpftrace says it attaches on stdout, sslsniff prints its header there.
	for _ in $(seq 1200); do
		if grep -q "$ready" "$file" "$TMP/peer.err" 2>/dev/null; then
			sleep 0.5 # bpftrace prints before the last probe is in
			return 0
		fi
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.1
	done
	# Why, for this table and the next ones.
	PEER_WHY[$tool]="did not start: $(grep -v RLIMIT_MEMLOCK "$TMP/peer.err" | tail -1 | tr '|' '/')"
	note "$tool ${PEER_WHY[$tool]}"
	peer_stop
	return 1
}

peer_stop() {
	[ -n "$PEER_PID" ] || return 0
	# SIGTERM: a background job of a script starts with SIGINT ignored, and python keeps it so.
	kill -TERM "$PEER_PID" 2>/dev/null || true
	wait "$PEER_PID" || true
	PEER_PID=
}

# ---------------------------------------------------------------------------------------------
# A private nginx serving HTTPS on 127.0.0.1:$NGINX_PORT from $TMP/nginx: /index.html (a small
# static file) and /m/* or any other path answered "ok" by nginx itself.
# ---------------------------------------------------------------------------------------------
free_port() {
	local p
	for p in $(seq "$1" $(($1 + 200))); do
		ss -Hltn "sport = :$p" | grep -q . || ss -Hlun "sport = :$p" | grep -q . || {
			echo "$p"
			return 0
		}
	done
	return 1
}

nginx_start() {
	local d=$TMP/nginx
	mkdir -p "$d/www" "$d/tmp"
	# Its workers run as the www user: they may pass through $TMP, and read www/ only.
	chmod 711 "$TMP"
	chmod 755 "$d" "$d/www"
	NGINX_PORT=$(free_port 18443)
	head -c 600 /dev/urandom | base64 >"$d/www/index.html"
	chmod 644 "$d/www/index.html"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj /CN=bench -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
	cat >"$d/nginx.conf" <<-EOF
		worker_processes 2;
		pid $d/nginx.pid;
		error_log $d/error.log;
		events { worker_connections 4096; }
		http {
		  access_log off;
		  client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
		  uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
		  keepalive_requests 10000000;
		  server {
		    listen 127.0.0.1:$NGINX_PORT ssl;
		    ssl_certificate $d/cert.pem;
		    ssl_certificate_key $d/key.pem;
		    root $d/www;
		    location = /index.html { }
		    location / { return 200 "ok\n"; }
		  }
		}
	EOF
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" 9>&-
	for _ in $(seq 100); do
		curl -skf "https://127.0.0.1:$NGINX_PORT/index.html" -o /dev/null && return 0
		sleep 0.1
	done
	note "nginx did not start: $(tail -1 "$d/error.log")"
	nginx_stop
	return 1
}

nginx_stop() {
	local d=$TMP/nginx pid
	[ -f "$d/nginx.pid" ] || return 0
	pid=$(cat "$d/nginx.pid")
	kill -QUIT "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$d/nginx.pid"
}

# The marker every latency request carries in its path.
LAT_PREFIX=blat-

# The modes compared everywhere, and ecapturedump's arguments for each (into EC_ARGS).
EC_MODES="packets plaintext both keylog"
ec_mode_args() {
	case $1 in
	packets) EC_ARGS=(--netif lo -w /dev/null) ;;
	plaintext) EC_ARGS=(-m plaintext -w /dev/null) ;;
	both) EC_ARGS=(-m both --netif lo -w /dev/null) ;;
	keylog) EC_ARGS=(--netif lo --keylog "$TMP/keys.txt") ;;
	esac
}

# The peer tools compared everywhere, and their labels.
PEERS="bpftrace sslsniff"
peer_label() {
	case $1 in
	bpftrace) echo "bpftrace (data-capturing script)" ;;
	*) echo "$1 (bcc)" ;;
	esac
}
