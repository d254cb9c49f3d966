#!/usr/bin/env bash
# tests/vm/run.sh: boot one of Debian's kernels under qemu (TCG) with a project build installed
# and run end-to-end tests or a command in it. As root, on Debian 12 (mmdebstrap, qemu-system-x86,
# cpio, kmod; the Debian archive reachable once to fill the cache).
#
#   tests/vm/run.sh --kernel 6.1 --build /path/to/build -- test_tls_openssl.sh test_vm_smoke.sh
#   tests/vm/run.sh --kernel 5.10 --build /path/to/build --cmd 'ecapturedump -v --capture ...'
#   tests/vm/run.sh --kernel 6.12 --shell        (stop in a root shell on the console instead)
#
# Options: --kernel 5.10|6.1|6.12 (default 6.12); --build DIR (default: build next to this
# source tree; installed with DESTDIR into the guest every run); --source DIR (where tests/e2e
# comes from; default: the source dir of --build); --cmd 'SHELL CMD' (after the tests);
# --timeout SECONDS for the whole guest (default 1800); --test-timeout SECONDS per test (900);
# --log FILE for the console (default /tmp/ecapture-vm-<kernel>.log); --cache DIR (default
# /var/cache/ecapture-vm, or $ECAPTURE_VM_CACHE); --mem MB (4096: the root, about 1 GB, is unpacked into the guest's memory).
# Tests are names of tests/e2e/test_*.sh or tests/vm/guest/test_*.sh. Each prints
# "ECVM-RESULT <name> <rc> <seconds>" on the console; rc 77 is a skip.
# Exit status: 0 when every test and the command passed (or skipped), 1 otherwise, also when the
# guest did not finish (timeout, panic).
# Cached in --cache: the kernels (kernels/<package>_<version>: vmlinuz, modules.cpio) and the
# guest root (root/<hash of the package list and recipe>/base.cpio); delete them to rebuild.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
kernel=6.12 build= source= cmd= timeout=1800 test_timeout=900 log= shell=0 mem=4096
cache=${ECAPTURE_VM_CACHE:-/var/cache/ecapture-vm}
tests=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--source) source=$2; shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--) shift; tests+=("$@"); break ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
	*) tests+=("$1"); shift ;;
	esac
done
say() { printf '[vm %s %s] %s\n' "$kernel" "$(date +%T)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root (mmdebstrap and the guest's root file system need it)"
PATH=$PATH:/usr/sbin:/sbin
for t in mmdebstrap qemu-system-x86_64 cpio depmod; do
	command -v "$t" >/dev/null || skip "$t is not installed (apt-get install mmdebstrap qemu-system-x86 cpio kmod)"
done
build=$(cd "${build:-$HERE/../../build}" && pwd) || die "no build directory"
[ -f "$build/CMakeCache.txt" ] || die "$build is no CMake build directory"
if [ -z "$source" ]; then
	source=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
fi
[ -d "$source/tests/e2e" ] || die "no tests/e2e in $source"
log=${log:-/tmp/ecapture-vm-$kernel.log}
t0=$SECONDS

# 1. The kernel (cached). One run at a time fills the cache (others wait here).
mkdir -p "$cache"
exec 8>"$cache/.lock"
flock -w 1800 8 || die "another run holds $cache/.lock"
kdir=$("$HERE/kernel.sh" "$kernel" "$cache") || skip "cannot fetch Debian's kernel $kernel (see above)"
say "kernel $(cat "$kdir/release") from $(basename "$kdir")"

# 2. The guest root without the project (cached): Debian 12 with what ecapturedump and the tests
# run. Keyed by this list and the recipe; its package versions are in manifest.txt beside it.
packages=(
	libbpf1 libelf1 zlib1g libglib2.0-0 libpcap0.8 libcapstone4 libssl3 libcap2
	tshark pkgconf bpftool iproute2 kmod procps util-linux bsdutils psmisc binutils
	curl openssl ca-certificates nginx-light apache2-utils python3 gnutls-bin
	mariadb-server mariadb-client zsh bash coreutils findutils grep sed gawk
	postgresql postgresql-client libpq5 libnss3 libnss3-tools gcc libc6-dev python3-grpcio
)
recipe="bookworm ${packages[*]} recipe-4"
key=$(printf '%s\n' "$recipe" | sha256sum | cut -c1-16)
rdir=$cache/root/$key
if [ ! -s "$rdir/base.cpio" ]; then
	say "building the guest root $key (once): mmdebstrap bookworm"
	rm -rf "$rdir.tmp"
	mkdir -p "$rdir.tmp"
	mmdebstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		bookworm "$rdir.tmp/root" >"$rdir.tmp/mmdebstrap.log" 2>&1 ||
		skip "mmdebstrap failed: $(tail -3 "$rdir.tmp/mmdebstrap.log")"
	chroot "$rdir.tmp/root" dpkg-query -W >"$rdir.tmp/manifest.txt"
	# The tests make their own MariaDB and PostgreSQL data directories: the packages' only slow the boot.
	rm -rf "$rdir.tmp/root/var/cache/apt/archives"/*.deb "$rdir.tmp/root/var/lib/apt/lists"/* \
		"$rdir.tmp/root/var/lib/mysql"/* "$rdir.tmp/root/var/lib/postgresql"/*/main
	echo ecvm >"$rdir.tmp/root/etc/hostname"
	(cd "$rdir.tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$rdir.tmp/base.cpio"
	rm -rf "$rdir.tmp/root"
	echo "$recipe" >"$rdir.tmp/recipe"
	mv "$rdir.tmp" "$rdir"
	say "guest root built: $(du -m "$rdir/base.cpio" | cut -f1) MB"
fi
exec 8>&-

# 3. The project layer (every run): the build installed, the tests, /init, the job.
work=$(mktemp -d /tmp/ecapture-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
layer=$work/layer
mkdir -p "$layer/opt/ecapture-tests" "$layer/etc/ecapture-vm" "$layer/usr/lib/x86_64-linux-gnu/pkgconfig"
DESTDIR=$layer cmake --install "$build" >"$work/install.log" 2>&1 ||
	die "cmake --install $build failed: $(tail -3 "$work/install.log")"
cp -a "$source/tests/e2e" "$layer/opt/ecapture-tests/e2e"
cp -a "$HERE/guest" "$layer/opt/ecapture-tests/vm"
install -m 0755 "$HERE/init" "$layer/init"
# The tests find the extcap directory with pkg-config (wireshark.pc without its -dev dependencies).
pc=$(pkg-config --variable=pcfiledir wireshark 2>/dev/null)/wireshark.pc
if [ -f "$pc" ]; then
	grep -v '^Requires' "$pc" >"$layer/usr/lib/x86_64-linux-gnu/pkgconfig/wireshark.pc"
else
	die "no wireshark.pc on this machine (apt-get install wireshark-dev)"
fi
for t in "${tests[@]}"; do
	[ -f "$source/tests/e2e/$t" ] || [ -f "$HERE/guest/$t" ] || die "no test $t in tests/e2e or tests/vm/guest"
	if [ "$t" = test_tls_go.sh ]; then
		# The guest has no Go: the clients are built here, as the test builds them.
		say "building the Go clients on the host"
		mkdir -p "$layer/opt/ecapture-tests/go-prebuilt"
		(
			export HOME="$work" GOCACHE="$cache/gocache" GO111MODULE=off GOFLAGS= CGO_ENABLED=0
			go build -o "$layer/opt/ecapture-tests/go-prebuilt/goclient" "$source/tests/e2e/go/client.go" &&
				go build -buildmode=pie -ldflags='-s -w' -o "$layer/opt/ecapture-tests/go-prebuilt/goclient-pie" \
					"$source/tests/e2e/go/client.go"
		) || die "go build of tests/e2e/go/client.go failed"
	fi
	if [ "$t" = test_audit_postgres.sh ]; then
		# Nor a compiler: the libpq client is built here, against the same Debian 12 libpq.
		say "building pg_extended on the host"
		mkdir -p "$layer/opt/ecapture-tests/pg-prebuilt"
		gcc -Wall -Werror -o "$layer/opt/ecapture-tests/pg-prebuilt/pg_extended" \
			"$source/tests/e2e/pg_extended.c" -I"$(pg_config --includedir)" -lpq ||
			die "gcc of tests/e2e/pg_extended.c failed (apt-get install libpq-dev)"
	fi
done
{
	printf 'TESTS=%q\n' "${tests[*]}"
	printf 'CMD=%q\n' "$cmd"
	printf 'TEST_TIMEOUT=%q\n' "$test_timeout"
	printf 'SHELL_AFTER=%q\n' "$shell"
} >"$layer/etc/ecapture-vm/job"
(cd "$layer" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/layer.cpio"
# The kernel unpacks concatenated archives in order: root, this kernel's modules, the layer.
cat "$rdir/base.cpio" "$kdir/modules.cpio" "$work/layer.cpio" >"$work/initrd.cpio"
say "initramfs $(du -m "$work/initrd.cpio" | cut -f1) MB, prepared in $((SECONDS - t0)) s"

# 4. Boot. The console goes to $log (and to stderr with --shell).
qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -m "$mem" -smp 2 -kernel "$kdir/vmlinuz"
	-initrd "$work/initrd.cpio" -nographic -no-reboot
	-append "console=ttyS0 panic=-1 rdinit=/init random.trust_cpu=on loglevel=4")
t1=$SECONDS
if [ "$shell" = 1 ]; then
	"${qemu[@]}" | tee "$log"
	exit 0
fi
say "booting (console in $log, limit ${timeout}s)"
set +e
timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$log" 2>&1
qrc=$?
set -e
tr -d '\r' <"$log" >"$work/console"
say "guest ran $((SECONDS - t1)) s (qemu exit $qrc)"

# 5. The results.
fail=0
boot=$(sed -n 's/^ECVM-BOOTED \([0-9.]*\).*/\1/p' "$work/console" | head -1)
[ -n "$boot" ] && say "guest init started at ${boot}s of its uptime"
grep '^ECVM-INFO ' "$work/console" | sed 's/^ECVM-INFO /  /' >&2 || true
# How this kernel let ecapturedump attach (tests/vm/guest/test_vm_smoke.sh).
grep -m1 -o 'mechanism: .*' "$work/console" | sed 's/^/  /' >&2 || true
while read -r _ name rc secs; do
	case $rc in
	0) say "PASS $name (${secs}s)" ;;
	77) say "SKIP $name (${secs}s): $(grep -F "[$name] " "$work/console" | grep -m1 'SKIP' | sed "s/^\[$name\] //")" ;;
	*)
		say "FAIL $name (rc $rc, ${secs}s); its output:"
		grep -F "[$name] " "$work/console" | sed "s/^\[$name\] /  | /" >&2
		fail=1
		;;
	esac
done < <(grep '^ECVM-RESULT ' "$work/console")
for t in "${tests[@]}" ${cmd:+cmd}; do
	grep -q "^ECVM-RESULT $t " "$work/console" || { say "FAIL $t: no result (the guest stopped before)"; fail=1; }
done
if ! grep -q '^ECVM-DONE' "$work/console"; then
	say "FAIL: the guest did not finish (timeout ${timeout}s or a panic); last console lines:"
	tail -n 40 "$work/console" >&2
	fail=1
fi
say "total $((SECONDS - t0)) s: $([ $fail = 0 ] && echo passed || echo FAILED)"
exit $fail
