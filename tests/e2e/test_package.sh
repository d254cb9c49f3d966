#!/usr/bin/env bash
# Installed like dumpcap: the Debian package built by packaging/build-deb.sh, with the debconf
# question preseeded true, installed with apt. Then a member of the group "ecapture" decrypts
# local HTTPS with tshark as a normal user, with the process fields; a user outside the group
# gets one error naming the group; getcap shows exactly the documented capabilities; lintian
# reports no error; the man page is there; turning the question off takes the capabilities
# away; purge leaves no file of the package. Afterwards the build under test is installed again.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark curl nginx openssl lintian apt-get dpkg-buildpackage getcap runuser setpriv man \
	debconf-set-selections bpftool tc
SRC=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PRIVILEGED=/usr/libexec/ecapture-wireshark/ecapturedump
MEMBER=ecap-member-$$
OUTSIDER=ecap-outsider-$$

package_cleanup() {
	local rc=$?
	if dpkg-query -W ecapture-wireshark >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ecapture-wireshark >/dev/null 2>&1 || true
	fi
	userdel -r "$MEMBER" >/dev/null 2>&1 || true
	userdel -r "$OUTSIDER" >/dev/null 2>&1 || true
	# The package's removal took the extcap and plugin away: the build under test goes back.
	if [ -n "${BUILD_DIR:-}" ]; then
		cmake --install "$BUILD_DIR" >/dev/null || log "cmake --install $BUILD_DIR failed"
	fi
	(exit $rc)
	cleanup
}
trap package_cleanup EXIT

# dpkg would take over the files a development install put in the same places.
if dpkg-query -W ecapture-wireshark >/dev/null 2>&1; then
	fail "ecapture-wireshark is installed already: this test installs and purges it"
fi

log "building the package"
"$SRC/packaging/build-deb.sh" "$E2E_TMP/deb" >"$E2E_TMP/build.out" 2>&1 ||
	fail "build-deb.sh failed: $(tail -n 30 "$E2E_TMP/build.out")"
DEB=$(ls "$E2E_TMP"/deb/ecapture-wireshark_*.deb)
lintian --fail-on error "$DEB" >"$E2E_TMP/lintian.out" 2>&1 ||
	fail "lintian reports errors: $(cat "$E2E_TMP/lintian.out")"
log "ok: lintian: $(grep -c '^[EW]:' "$E2E_TMP/lintian.out" || true) error/warning line(s)"

log "installing with enable-capabilities preseeded true"
echo "ecapture-wireshark ecapture-wireshark/enable-capabilities boolean true" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB" >"$E2E_TMP/apt.out" 2>&1 ||
	fail "apt-get install failed: $(tail -n 20 "$E2E_TMP/apt.out")"
getent group ecapture >/dev/null || fail "postinst did not create the group ecapture"
[ "$(stat -c '%U:%G %a' "$PRIVILEGED")" = "root:ecapture 750" ] ||
	fail "$PRIVILEGED is $(stat -c '%U:%G %a' "$PRIVILEGED"), not root:ecapture 750"
caps=$(getcap "$PRIVILEGED" | awk '{ print $2 }')
# getcap's order: by capability number.
[ "$caps" = "cap_net_admin,cap_sys_ptrace,cap_perfmon,cap_bpf=ep" ] ||
	fail "getcap shows '$caps', not the documented set"
log "ok: $PRIVILEGED root:ecapture 750, $caps"
MANPAGER=cat man ecapturedump 2>/dev/null | grep -q 'ecapture-wireshark/enable-capabilities' ||
	fail "man ecapturedump does not show the page"

useradd -m -G ecapture "$MEMBER"
useradd -m "$OUTSIDER"
start_nginx
USERDIR=$(runuser -u "$MEMBER" -- mktemp -d)

log "a member of the group captures with tshark"
# setpriv execs tshark (same pid, so stop_tshark's SIGINT reaches it), with the member's groups.
HOME=$(getent passwd "$MEMBER" | cut -d: -f6) setpriv --reuid "$MEMBER" --regid "$MEMBER" \
	--init-groups tshark -i ecapture-tls -l -w "$USERDIR/member.pcapng" \
	-o "extcap.ecapture_tls.logfile:$USERDIR/member.log" >"$E2E_TMP/member.out" 2>"$E2E_TMP/member.err" 9>&- &
TSHARK_PID=$!
E2E_PIDS+=("$TSHARK_PID")
for i in $(seq 150); do
	grep -q 'capturing:' "$USERDIR/member.log" 2>/dev/null && break
	kill -0 "$TSHARK_PID" 2>/dev/null || fail "the member's tshark exited: $(cat "$E2E_TMP/member.err")"
	sleep 0.2
done
grep -q 'capturing:' "$USERDIR/member.log" || fail "never capturing: $(cat "$USERDIR/member.log")"
N=10
pids=()
for i in $(seq $N); do
	curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/member/$i" -o /dev/null &
	pids+=("$!")
	wait $!
done
sleep 2
stop_tshark
[ "$(stat -c '%U %a' "$USERDIR/member.pcapng")" = "$MEMBER 600" ] ||
	fail "the member's capture is $(stat -c '%U %a' "$USERDIR/member.pcapng")"
tshark -r "$USERDIR/member.pcapng" -Y http.request -T fields -e http.request.uri -e ecapture.pid \
	-e ecapture.comm >"$E2E_TMP/member.fields" 2>/dev/null
cat "$E2E_TMP/member.fields" >&2
for i in $(seq $N); do
	grep -qP "^/member/$i\t${pids[$((i - 1))]}\tcurl$" "$E2E_TMP/member.fields" ||
		fail "request $i (curl pid ${pids[$((i - 1))]}) is not decrypted with its process"
done
log "ok: the member decrypted $N requests, each with its curl's pid"

# The capabilities open no door to files: CAP_SYS_PTRACE reaches a root process's
# /proc/PID/root, the member does not, so neither a library nor an output file may be named
# through it.
as_member() {
	HOME=$(getent passwd "$MEMBER" | cut -d: -f6) setpriv --reuid "$MEMBER" --regid "$MEMBER" \
		--init-groups "$@"
}
LIBSSL=$(ls /usr/lib/x86_64-linux-gnu/libssl.so.3)
sleep 600 9>&- &
ROOTPROC=$!
E2E_PIDS+=("$ROOTPROC")
rc=0
as_member ecapturedump --libssl "/proc/$ROOTPROC/root$LIBSSL" --duration 1 \
	-w "$USERDIR/x.pcapng" 2>"$E2E_TMP/door.err" || rc=$?
[ $rc -ne 0 ] && grep -q 'opened with your own rights' "$E2E_TMP/door.err" ||
	fail "a member named a library through /proc/$ROOTPROC/root: $(cat "$E2E_TMP/door.err")"
log "ok: $(cat "$E2E_TMP/door.err")"
rc=0
as_member ecapturedump --duration 1 -w "/proc/$ROOTPROC/root/tmp/member-door.pcapng" \
	2>"$E2E_TMP/door.err" || rc=$?
[ $rc -ne 0 ] && [ ! -e /tmp/member-door.pcapng ] ||
	fail "a member wrote through /proc/$ROOTPROC/root: $(cat "$E2E_TMP/door.err")"
log "ok: $(cat "$E2E_TMP/door.err")"

# Stock Debian 12 kernels (6.1) have no tcx: members' captures use clsact filters, and mark the
# qdisc they create in the package's /run/ecapturedump, writable by the group, sticky.
[ "$(stat -c '%U:%G %a' /run/ecapturedump)" = "root:ecapture 1770" ] ||
	fail "/run/ecapturedump is $(stat -c '%U:%G %a' /run/ecapturedump 2>&1)"
qdisc_before=$(tc qdisc show dev lo | grep -c clsact || true)
as_member ecapturedump --tc-legacy --netif lo --duration 3 -w "$USERDIR/legacy.pcapng" \
	>"$E2E_TMP/legacy.out" 2>"$E2E_TMP/legacy.err" || fail "a member's --tc-legacy capture failed"
grep -q 'cannot mark' "$E2E_TMP/legacy.err" && fail "the member could not mark its qdisc: $(cat "$E2E_TMP/legacy.err")"
[ "$(tc qdisc show dev lo | grep -c clsact || true)" -eq "$qdisc_before" ] ||
	fail "the member's capture left its clsact qdisc on lo"
[ -z "$(ls /run/ecapturedump)" ] || fail "marks left in /run/ecapturedump: $(ls /run/ecapturedump)"
log "ok: a member's --tc-legacy capture marked and removed its qdisc"

log "a user outside the group"
rc=0
timeout 30 runuser -u "$OUTSIDER" -- tshark -i ecapture-tls -a duration:5 \
	>"$E2E_TMP/outsider.out" 2>"$E2E_TMP/outsider.err" || rc=$?
[ $rc -ne 124 ] || fail "the outsider's tshark hung"
grep -F 'Error by extcap pipe: ' "$E2E_TMP/outsider.err" |
	grep -qF 'needs membership of the group ecapture' ||
	fail "the outsider did not get the group error: $(cat "$E2E_TMP/outsider.err")"
log "ok: $(grep -F 'Error by extcap pipe' "$E2E_TMP/outsider.err")"
assert_clean

log "the question answered false: no capabilities"
echo "ecapture-wireshark ecapture-wireshark/enable-capabilities boolean false" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive dpkg-reconfigure ecapture-wireshark >/dev/null 2>&1 ||
	fail "dpkg-reconfigure failed"
[ -z "$(getcap "$PRIVILEGED")" ] || fail "capabilities left: $(getcap "$PRIVILEGED")"
[ "$(stat -c '%U:%G %a' "$PRIVILEGED")" = "root:root 750" ] ||
	fail "$PRIVILEGED is $(stat -c '%U:%G %a' "$PRIVILEGED") after disabling"
rc=0
timeout 30 runuser -u "$MEMBER" -- tshark -i ecapture-tls -a duration:5 \
	>"$E2E_TMP/off.out" 2>"$E2E_TMP/off.err" || rc=$?
grep -F 'Error by extcap pipe: ' "$E2E_TMP/off.err" | grep -qF 'dpkg-reconfigure ecapture-wireshark' ||
	fail "with capabilities off, the member was not told how to enable them: $(cat "$E2E_TMP/off.err")"
log "ok: disabled: $(grep -F 'Error by extcap pipe' "$E2E_TMP/off.err")"

log "purge"
files=$(dpkg -L ecapture-wireshark | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done)
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ecapture-wireshark >"$E2E_TMP/purge.out" 2>&1 ||
	fail "purge failed: $(tail "$E2E_TMP/purge.out")"
for f in $files; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "purge left $f"
done
dpkg-statoverride --list "$PRIVILEGED" >/dev/null 2>&1 && fail "purge left the statoverride"
debconf-show ecapture-wireshark 2>/dev/null | grep -q enable-capabilities &&
	fail "purge left the debconf answer"
log "ok: purge removed $(echo "$files" | wc -l) files"
assert_clean
log "PASS"
