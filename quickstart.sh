#!/usr/bin/env bash
# Quick start on Debian 12, as root:
#   ./quickstart.sh demo   install what is needed, build, install, and show decrypted HTTPS live
#   ./quickstart.sh test   install what is needed, build, install, and run every test
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=${BUILD_DIR:-build}
PACKAGES=(
	build-essential cmake pkg-config clang llvm bpftool
	libbpf-dev libelf-dev zlib1g-dev libglib2.0-dev libpcap-dev libssl-dev
	wireshark-dev tshark
	openssl curl nginx apache2-utils iproute2 python3 python3-grpcio procps
	libcapstone-dev libnghttp2-dev golang-go gnutls-bin libgnutls30 libnss3 libnspr4 libnss3-tools
	zsh mariadb-server mariadb-client postgresql libpq-dev redis-server redis-tools util-linux
	openssh-server openssh-client
	mmdebstrap kmod cpio qemu-system-x86
	debhelper po-debconf lintian fakeroot libcap2-bin man-db
	wireshark-qt xvfb xdotool imagemagick x11-utils xclip
)

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart.sh: run it as root (it installs packages and loads eBPF programs)" >&2
		exit 1
	fi
}

install_deps() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		# tshark asks whether non-root users may capture; the answer does not matter here.
		echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
}

build_and_install() {
	echo "== building"
	cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECAPTURE_WERROR=ON >/dev/null
	cmake --build "$BUILD_DIR" -j"$(nproc)"
	echo "== installing"
	cmake --install "$BUILD_DIR" >/dev/null
	tshark -D | grep ecapture || { echo "tshark does not list ecapture-tls" >&2; exit 1; }
}

demo() {
	local tmp port=8443
	tmp=$(mktemp -d /tmp/ecapture-demo.XXXXXX)
	# Expanded now (the trap runs after this function's locals are gone); || true: set -e holds in traps.
	trap "kill \$(cat '$tmp/nginx.pid' 2>/dev/null) 2>/dev/null || true; rm -rf '$tmp'" EXIT
	echo "== a local HTTPS server (nginx on 127.0.0.1:$port) and a client making requests"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
	cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events {}
http {
	access_log off;
	client_body_temp_path $tmp;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $tmp/cert.pem;
		ssl_certificate_key $tmp/key.pem;
		location / { default_type text/plain; return 200 "hello from \$uri\n"; }
	}
}
CONF
	nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/error.log"
	(
		i=0
		while sleep 1; do
			i=$((i + 1))
			curl -sk --http1.1 "https://127.0.0.1:$port/demo/request-$i" >/dev/null || true
		done
	) &
	local client=$!
	trap "kill $client \$(cat '$tmp/nginx.pid' 2>/dev/null) 2>/dev/null || true; rm -rf '$tmp'" EXIT
	echo "== tshark -i ecapture-tls: decrypted HTTP, live, for 20 seconds (Ctrl-C stops)"
	tshark -i ecapture-tls -a duration:20 -Y http \
		-T fields -e frame.time_relative -e ip.src -e tcp.srcport -e tls.record.version \
		-e http.request.method -e http.request.uri -e http.response.code -e http.file_data
}

run_tests() {
	echo "== tests"
	ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900
	echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	cmake -S . -B "$BUILD_DIR-sanitize" -DCMAKE_BUILD_TYPE=Debug -DECAPTURE_WERROR=ON \
		-DECAPTURE_SANITIZE=ON >/dev/null
	cmake --build "$BUILD_DIR-sanitize" -j"$(nproc)"
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --test-dir "$BUILD_DIR-sanitize" -L unit --output-on-failure --timeout 900
	echo "== fuzz targets: a bounded run of each over its corpus"
	cmake -S . -B "$BUILD_DIR-fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DECAPTURE_WERROR=ON -DECAPTURE_FUZZ=ON >/dev/null
	cmake --build "$BUILD_DIR-fuzz" -j"$(nproc)" --target fuzzers
	ctest --test-dir "$BUILD_DIR-fuzz" -L fuzz --output-on-failure --timeout 300
}

case "${1:-}" in
demo) need_root; install_deps; build_and_install; demo ;;
test) need_root; install_deps; build_and_install; run_tests ;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
