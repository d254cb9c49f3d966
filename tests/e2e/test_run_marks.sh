#!/usr/bin/env bash
# The qdisc marks in /run/ecapturedump are believed only when safe: a root capture makes the
# directory 0700; a FIFO or a symbolic link planted as a mark neither hangs a capture nor is
# followed (ignored, named in the log); a mark of the wrong owner, or any mark in a directory
# others or the group can write without the sticky bit, never makes a capture remove a clsact
# qdisc it did not create; a mark root wrote for a capture that is gone still does.
source "$(dirname "$0")/lib.sh"
require_root
require_tools tshark tc timeout ip
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
DIR=/run/ecapturedump
IF=ecmark0

# The directory as it was comes back at the end (another capture or the package may use it).
if [ -e "$DIR" ]; then
	cp -a "$DIR" "$E2E_TMP/run-saved"
	E2E_ATEXIT+=("rm -rf '$DIR'; cp -a '$E2E_TMP/run-saved' '$DIR'")
else
	E2E_ATEXIT+=("rm -rf '$DIR'")
fi
ip link del "$IF" 2>/dev/null || true
ip link add "$IF" type veth peer name "${IF}p" || fail "cannot make a veth pair"
ip link set "$IF" up
ip link set "${IF}p" up
E2E_ATEXIT+=("ip link del $IF")
MARK=$DIR/clsact-$(stat -L -c %i /proc/self/ns/net)-$(cat "/sys/class/net/$IF/ifindex")

# capture NAME ARGS...: a 2-second capture on $IF; it must be done within 20 s (then killed:
# one stuck opening a FIFO does not stop on SIGTERM).
capture() {
	local name=$1 rc=0
	shift
	timeout -k 2 20 "$EXTCAP" --netif "$IF" --duration 2 -w "$E2E_TMP/$name.pcapng" "$@" \
		>"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err" 9>&- || rc=$?
	[ $rc -ne 124 ] && [ $rc -ne 137 ] || fail "$name: the capture hung (killed after 20 s)"
	[ $rc -eq 0 ] || fail "$name: exit status $rc: $(cat "$E2E_TMP/$name.err")"
}
has_clsact() { tc qdisc show dev "$IF" | grep -q clsact; }
fresh_dir() { # fresh_dir MODE
	rm -rf "$DIR"
	mkdir -m "$1" "$DIR"
	chmod "$1" "$DIR"
}

log "no directory: a root capture makes it root's, 0700, and its mark while it runs"
rm -rf "$DIR"
"$EXTCAP" --netif "$IF" --tc-legacy --duration 3 -w "$E2E_TMP/first.pcapng" \
	2>"$E2E_TMP/first.err" 9>&- &
PID=$!
E2E_PIDS+=("$PID")
for i in $(seq 100); do [ -e "$MARK" ] && break; sleep 0.1; done
[ -e "$MARK" ] || fail "no mark while a --tc-legacy capture runs: $(cat "$E2E_TMP/first.err")"
[ "$(stat -c '%U:%G %a' "$DIR")" = "root:root 700" ] || fail "$DIR is $(stat -c '%U:%G %a' "$DIR")"
[ "$(stat -c '%F %U %a' "$MARK")" = "regular file root 644" ] ||
	fail "the mark is $(stat -c '%F %U %a' "$MARK")"
[ "$(cat "$MARK")" = "$PID $(awk '{ print $22 }' "/proc/$PID/stat")" ] ||
	fail "the mark says '$(cat "$MARK")', not '$PID' and its start time"
wait "$PID" || fail "the capture failed: $(cat "$E2E_TMP/first.err")"
has_clsact && fail "the capture left the clsact qdisc it created"
[ ! -e "$MARK" ] || fail "the capture left its mark"
log "ok"

log "a FIFO as the mark: the capture starts at once and ignores it"
fresh_dir 0700
mkfifo "$MARK"
capture fifo --tc-legacy
grep -q "ignored $MARK: not a regular file" "$E2E_TMP/fifo.err" ||
	fail "the FIFO was not named in the log: $(cat "$E2E_TMP/fifo.err")"
has_clsact && fail "the capture left the clsact qdisc it created (FIFO mark)"
[ ! -e "$MARK" ] || fail "the FIFO was not replaced by the capture's mark, then removed"
log "ok: $(grep -m1 ignored "$E2E_TMP/fifo.err")"

log "a symbolic link as the mark (to a mark naming a capture that is gone): not followed"
fresh_dir 0700
tc qdisc add dev "$IF" clsact
echo 999999 >"$E2E_TMP/target"
ln -s "$E2E_TMP/target" "$MARK"
capture symlink
grep -q "ignored $MARK: a symbolic link" "$E2E_TMP/symlink.err" ||
	fail "the symbolic link was not named in the log: $(cat "$E2E_TMP/symlink.err")"
has_clsact || fail "a capture removed a clsact qdisc it did not create (symbolic link mark)"
log "ok: the qdisc made by hand is still there"

log "a forged mark of another owner: the qdisc made by hand stays"
fresh_dir 0700
echo 999999 >"$MARK"
chown nobody "$MARK"
capture forged
grep -q "ignored $MARK: owned by another user" "$E2E_TMP/forged.err" ||
	fail "the forged mark was not named in the log: $(cat "$E2E_TMP/forged.err")"
has_clsact || fail "a capture removed a clsact qdisc it did not create (forged mark)"
log "ok"

log "a directory the group can write without the sticky bit: no mark is believed"
fresh_dir 2770
echo 999999 >"$MARK"
capture unsafe
grep -q "$DIR is not safe" "$E2E_TMP/unsafe.err" ||
	fail "the unsafe directory was not named in the log: $(cat "$E2E_TMP/unsafe.err")"
has_clsact || fail "a capture believed a mark in a directory the group can write"
log "ok"

log "the same with the sticky bit (the package's 1770): root's mark of a gone capture is swept"
chmod 1770 "$DIR"
capture sticky
grep -q "not safe\|ignored" "$E2E_TMP/sticky.err" && fail "unexpected: $(cat "$E2E_TMP/sticky.err")"
has_clsact && fail "the qdisc of a gone capture (root's mark) was not removed"
[ ! -e "$MARK" ] || fail "the gone capture's mark was left"
log "PASS"
