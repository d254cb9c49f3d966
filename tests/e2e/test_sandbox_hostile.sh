#!/usr/bin/env bash
# A library anyone could have written is calibrated only inside the helper's sandbox. A process
# maps a fake libssl.so.3 and a fake libgnutls.so.30 whose constructors (a) push a command into
# the terminal with TIOCSTI, (b) write files in /tmp and $HOME, (c) connect to a port on
# 127.0.0.1, (d) fork a child that would write a file later. Root runs --list-targets and a short
# capture in an interactive bash on a pseudo-terminal: nothing is typed into the terminal, no file
# is written, no connection arrives, no process is left, and neither run waits for the time limit
# (10 s) per hostile library. The -v log names the sandbox's parts.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
require_root
require_tools gcc bash
require_installed_extcap
EXTCAP=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
PY=/usr/bin/python3

MARKS=$E2E_TMP/marks
mkdir -p "$MARKS" "$E2E_TMP/evil"
chmod 1777 "$MARKS" # anyone, nobody included, could leave a mark here
chmod 755 "$E2E_TMP"
PORT=$(free_port)
TMP_MARK=/tmp/.ec_hostile_tmp
HOME_MARK=/root/.ec_hostile_home
rm -f "$TMP_MARK" "$HOME_MARK"
E2E_ATEXIT+=("rm -f $TMP_MARK $HOME_MARK")
# the fork of a helper that escaped, if one did: found by its name, which only it has
E2E_ATEXIT+=("pgrep -x ec-hostile-kid | xargs -r kill -9 2>/dev/null")

for soname in libssl.so.3 libgnutls.so.30; do
	gcc -shared -fPIC -O1 -DMARKS="\"$MARKS\"" -DPORT="$PORT" -Wl,-soname,$soname \
		-o "$E2E_TMP/evil/$soname" "$HERE/hostile/hostile.c" || fail "cannot build $soname"
done

# Whoever connects is recorded.
$PY - "$PORT" "$E2E_TMP/connections" <<'PYEOF' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    c, a = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection from %s:%d\n" % a)
    c.close()
PYEOF
E2E_PIDS+=("$!")

# A process that maps both (and stays quiet itself).
EC_HOSTILE_OFF=1 $PY -c 'import ctypes, sys, time
for p in sys.argv[1:]:
    ctypes.CDLL(p)
time.sleep(600)' "$E2E_TMP/evil/libssl.so.3" "$E2E_TMP/evil/libgnutls.so.30" &
MAPPER=$!
E2E_PIDS+=("$MAPPER")
for i in $(seq 50); do
	[ "$(grep -c "$E2E_TMP/evil/" "/proc/$MAPPER/maps" 2>/dev/null)" -gt 0 ] &&
		grep -q libgnutls "/proc/$MAPPER/maps" && break
	sleep 0.1
done
grep -q "$E2E_TMP/evil/libgnutls.so.30" "/proc/$MAPPER/maps" ||
	fail "pid $MAPPER does not map the fake libraries"

# Root, in an interactive bash on a terminal, lists the targets and captures for 2 s.
ms() { echo '$(( ($(date +%s%N) - s) / 1000000 ))'; }
cat >"$E2E_TMP/cmds" <<CMDS
s=\$(date +%s%N); $EXTCAP --list-targets -v >$E2E_TMP/list.out 2>$E2E_TMP/list.err; echo "rc=\$? ms=$(ms)" >$E2E_TMP/list.time
s=\$(date +%s%N); $EXTCAP --duration 2 -w $E2E_TMP/cap.pcapng 2>$E2E_TMP/cap.err; echo "rc=\$? ms=$(ms)" >$E2E_TMP/cap.time
sleep 1
CMDS
# (a typed command confuses the prompts it waits for: the checks below say what happened)
$PY "$HERE/pty_shell.py" /bin/bash "$E2E_TMP/cmds" "$E2E_TMP/shell.pid" >"$E2E_TMP/terminal.out" 2>&1 ||
	log "the shell did not finish as expected"
# the child a hostile library forked would write its mark after 3 s
sleep 4

# (a) nothing typed into the terminal
[ -e "$MARKS/typed" ] && fail "a command typed by the library ran in root's shell"
grep -q "touch $MARKS/typed" "$E2E_TMP/terminal.out" &&
	fail "the library typed into the terminal: $(cat "$E2E_TMP/terminal.out")"
log "ok: nothing was typed into the terminal"
# (b) no file written, (d) not even later by a child
for f in "$MARKS/written" "$MARKS/late" "$TMP_MARK" "$HOME_MARK"; do
	[ -e "$f" ] && fail "the library wrote $f"
done
log "ok: no file written in /tmp, \$HOME or a world-writable directory"
# (c) no connection
[ -s "$E2E_TMP/connections" ] && fail "the library connected: $(cat "$E2E_TMP/connections")"
log "ok: no connection to 127.0.0.1:$PORT"
# (d) no process left (zombies of an earlier run's escapes aside)
alive() { ps -eo pid=,stat=,comm= | awk -v c="$1" '$3 == c && $2 !~ /^Z/ { print $1 }'; }
left=$(alive ec-hostile-kid)
[ -z "$left" ] || fail "processes left by the library: $left"
left=$(alive ecapture-calib)
[ -z "$left" ] || fail "calibration helpers left: $left"
log "ok: no process left"

for f in list cap; do
	[ -s "$E2E_TMP/$f.time" ] || fail "no $f run: $(cat "$E2E_TMP/terminal.out")"
	log "$f: $(cat "$E2E_TMP/$f.time")"
done
grep -q '^rc=0 ' "$E2E_TMP/list.time" || fail "--list-targets failed: $(cat "$E2E_TMP/list.err")"
grep -q '^rc=0 ' "$E2E_TMP/cap.time" || fail "the capture failed: $(cat "$E2E_TMP/cap.err")"

# The fake libraries were calibrated (and refused), so their code did run in the helper.
for soname in libssl.so.3 libgnutls.so.30; do
	awk -v p="$E2E_TMP/evil/$soname" '$0 ~ /^[a-z]/ { on = index($0, p) > 0 } on' \
		"$E2E_TMP/list.out" >"$E2E_TMP/block.out"
	grep -q 'layout could not be calibrated' "$E2E_TMP/block.out" ||
		fail "$soname was not calibrated: $(cat "$E2E_TMP/list.out")"
done
log "ok: both fake libraries were calibrated (and refused)"

# No time limit reached: the 10 s limit per hostile library would show (two of them, each run).
ms=$(sed 's/.*ms=//' "$E2E_TMP/list.time")
[ "$ms" -lt 6000 ] || fail "--list-targets took $ms ms: a calibration waited for its time limit"
ms=$(sed 's/.*ms=//' "$E2E_TMP/cap.time")
[ "$ms" -lt 8000 ] || fail "the 2 s capture took $ms ms: a calibration waited for its time limit"
log "ok: no calibration waited for its time limit"

# The -v log says what the sandbox has.
grep -Eq "calibration of $E2E_TMP/evil/libssl.so.3 ran in a sandbox with: .*pidns.*emptyroot.*seccomp" \
	"$E2E_TMP/list.err" || fail "the -v log does not describe the sandbox: $(grep -i sandbox "$E2E_TMP/list.err")"
log "ok: $(grep -m1 "calibration of $E2E_TMP/evil/libssl" "$E2E_TMP/list.err" | sed 's/^ecapturedump: //')"
assert_clean
log "PASS"
