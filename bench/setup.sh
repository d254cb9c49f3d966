# shellcheck shell=bash
# What bench/run.sh needs before it measures: Debian packages, the build, the peer tools.

# install_deps: the Debian packages of every command the sections run, if any is missing.
install_deps() {
	local want=() cmd
	for cmd in ab:apache2-utils wrk:wrk bpftrace:bpftrace gnuplot:gnuplot-nox tshark:tshark \
		nginx:nginx curl:curl openssl:openssl cmake:cmake ss:iproute2; do
		command -v "${cmd%%:*}" >/dev/null || want+=("${cmd#*:}")
	done
	[ -x /usr/sbin/sslsniff-bpfcc ] || want+=(bpfcc-tools)
	ls -d /usr/src/linux-headers-*-common >/dev/null 2>&1 || want+=(linux-headers-amd64)
	[ ${#want[@]} -eq 0 ] && return 0
	note "installing: ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${want[@]}" >"$TMP/apt.log" 2>&1 ||
		note "apt-get install failed (see below); what is missing is skipped: $(tail -2 "$TMP/apt.log")"
}

build() {
	if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
		cmake -S . -B "$BUILD_DIR" >"$TMP/cmake.log" 2>&1 || {
			cat "$TMP/cmake.log" >&2
			return 1
		}
	fi
	cmake --build "$BUILD_DIR" -j"$(nproc)" --target ecapturedump tls_roundtrip uprobe_floor \
		https_pinger stamp >"$TMP/build.log" 2>&1 || {
		tail -30 "$TMP/build.log" >&2
		echo "run.sh: the build failed" >&2
		return 1
	}
}

extcap_dir() {
	tshark -G folders 2>/dev/null | awk -F'\t' '/^Extcap path:/ { print $2 }'
}

# prepare_peers: PEER_WHY[tool] says why a peer tool cannot run here; else it is ready.
prepare_peers() {
	command -v bpftrace >/dev/null || PEER_WHY[bpftrace]="bpftrace is not installed"
	prepare_sslsniff
}

# bcc compiles sslsniff's BPF program against the running kernel's headers. When they are
# not installed (no /lib/modules/$(uname -r)/build), use Debian's newest linux-headers (its
# common and arch halves merged into one tree, as bcc wants one directory) and replace the
# min() that their minmax.h rejects in sslsniff's program text. The BPF program reads only
# user memory and its own maps, so the headers' version does not change what it does.
prepare_sslsniff() {
	local common arch
	BCC_KERNEL=
	if [ ! -x /usr/sbin/sslsniff-bpfcc ] || [ ! -e /usr/lib/python3/dist-packages/bcc ]; then
		PEER_WHY[sslsniff]="bcc (bpfcc-tools) is not installed"
		return 0
	fi
	sed 's/min((size_t)MAX_BUF_SIZE, (size_t)len)/((size_t)len < (size_t)MAX_BUF_SIZE ? (size_t)len : (size_t)MAX_BUF_SIZE)/' \
		/usr/sbin/sslsniff-bpfcc >"$TMP/sslsniff.py"
	[ -e "/lib/modules/$(uname -r)/build" ] && return 0
	common=$(printf '%s\n' /usr/src/linux-headers-*-common | sort -V | tail -1)
	[ -d "$common" ] || common=
	arch=${common%-common}-amd64
	if [ -z "$common" ] || [ ! -d "$arch" ]; then
		PEER_WHY[sslsniff]="no kernel headers for bcc (none for $(uname -r), no linux-headers-amd64)"
		return 0
	fi
	BCC_KERNEL=$TMP/kernel-headers
	BCC_HEADERS=$(basename "$arch")
	mkdir -p "$BCC_KERNEL"
	cp -rs "$common/." "$BCC_KERNEL/"
	cp -rsf "$arch/." "$BCC_KERNEL/"
}
