# Shared by tests/e2e/test_gui.sh and tests/gui/screenshots.sh: the Wireshark GUI (Qt, Debian's
# 4.0) under Xvfb, run by a normal user who is a member of the group ecapture, with the Debian
# package installed as a user installs it (debconf question answered yes).
# Source tests/e2e/lib.sh first (the machine-wide lock, E2E_TMP, start_nginx, cleanup).

GUI_SRC=${SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
GUI_USER=ecap-gui-$$
GUI_HOME=
GUI_DISPLAY=
XVFB_PID=
WS_PID=
GUI_W=1280
GUI_H=800

gui_require_tools() {
	require_tools tshark wireshark Xvfb xdotool import convert xdpyinfo curl nginx openssl \
		apt-get dpkg-buildpackage debconf-set-selections setpriv useradd userdel "$@"
}

# Every exit path: the GUI and X server stopped, the package purged, the user removed, the build
# under test installed again; then lib.sh's cleanup (nginx, temp dir, lock).
gui_cleanup() {
	local rc=$?
	[ -z "$WS_PID" ] || kill "$WS_PID" 2>/dev/null || true
	[ -z "$XVFB_PID" ] || kill "$XVFB_PID" 2>/dev/null || true
	if [ -n "$GUI_HOME" ]; then
		# Whatever the member still runs (the extcap, dumpcap) goes with it: the user is ours.
		local p
		for p in $(pgrep -u "$GUI_USER" || true); do kill -KILL "$p" 2>/dev/null || true; done
		sleep 0.5
	fi
	if dpkg-query -W ecapture-wireshark >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ecapture-wireshark >/dev/null 2>&1 ||
			log "apt-get purge ecapture-wireshark failed"
	fi
	userdel -r "$GUI_USER" >/dev/null 2>&1 || true
	if [ -n "${BUILD_DIR:-}" ]; then
		cmake --install "$BUILD_DIR" >/dev/null || log "cmake --install $BUILD_DIR failed"
	fi
	(exit $rc)
	cleanup
}

# gui_install_package: packaging/build-deb.sh, the capabilities question preseeded true, apt-get
# install, and a new user GUI_USER in the group ecapture (home GUI_HOME).
gui_install_package() {
	# dpkg would take over the files of a development install; another run may own the package.
	if dpkg-query -W ecapture-wireshark >/dev/null 2>&1; then
		fail "ecapture-wireshark is installed already (another test running, or left over): this test installs and purges it"
	fi
	trap gui_cleanup EXIT
	log "building the package"
	"$GUI_SRC/packaging/build-deb.sh" "$E2E_TMP/deb" >"$E2E_TMP/build.out" 2>&1 ||
		fail "build-deb.sh failed: $(tail -n 30 "$E2E_TMP/build.out")"
	local deb
	deb=$(ls "$E2E_TMP"/deb/ecapture-wireshark_*.deb)
	log "installing $(basename "$deb") with enable-capabilities preseeded true"
	echo "ecapture-wireshark ecapture-wireshark/enable-capabilities boolean true" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$E2E_TMP/apt.out" 2>&1 ||
		fail "apt-get install failed: $(tail -n 20 "$E2E_TMP/apt.out")"
	getent group ecapture >/dev/null || fail "the package did not create the group ecapture"
	useradd -m -G ecapture "$GUI_USER"
	GUI_HOME=$(getent passwd "$GUI_USER" | cut -d: -f6)
	runuser -u "$GUI_USER" -- install -d -m 0700 "$GUI_HOME/run" "$GUI_HOME/out"
	log "member $GUI_USER (groups: $(id -Gn "$GUI_USER"))"
}

# gui_start_xvfb: an X server on a free display (GUI_DISPLAY), GUI_W x GUI_H, no TCP, reachable
# by the member.
gui_start_xvfb() {
	local fdfile=$E2E_TMP/xvfb.display i
	Xvfb -displayfd 5 -screen 0 "${GUI_W}x${GUI_H}x24" -nolisten tcp \
		5>"$fdfile" >"$E2E_TMP/xvfb.log" 2>&1 9>&- &
	XVFB_PID=$!
	for i in $(seq 50); do
		[ -s "$fdfile" ] && break
		kill -0 "$XVFB_PID" 2>/dev/null || fail "Xvfb exited: $(cat "$E2E_TMP/xvfb.log")"
		sleep 0.1
	done
	GUI_DISPLAY=:$(tr -dc 0-9 <"$fdfile")
	[ "$GUI_DISPLAY" != : ] || fail "Xvfb did not say its display"
	DISPLAY=$GUI_DISPLAY xdpyinfo >/dev/null 2>&1 || fail "X server $GUI_DISPLAY does not answer"
	log "Xvfb on $GUI_DISPLAY"
}

# gui_x CMD...: CMD (xdotool, import...) on the X server, as root.
gui_x() { DISPLAY=$GUI_DISPLAY "$@"; }

# gui_start_wireshark NAME ARGS...: wireshark ARGS as the member (setpriv execs it: WS_PID is
# wireshark), its output in $E2E_TMP/NAME.ws; waits for its main window, moves it to the corner
# and gives it the whole screen (there is no window manager). Sets WS_WIN.
gui_start_wireshark() {
	local name=$1 i
	shift
	(cd "$GUI_HOME" && exec env -i PATH=/usr/bin:/bin HOME="$GUI_HOME" USER="$GUI_USER" \
		LOGNAME="$GUI_USER" DISPLAY="$GUI_DISPLAY" QT_QPA_PLATFORM=xcb \
		XDG_RUNTIME_DIR="$GUI_HOME/run" LANG=C.UTF-8 \
		setpriv --reuid "$GUI_USER" --regid "$GUI_USER" --init-groups \
		wireshark "$@") >"$E2E_TMP/$name.ws" 2>&1 9>&- &
	WS_PID=$!
	WS_WIN=
	for i in $(seq 150); do
		# The main window is the large one; Qt also makes 1x1 and 3x3 helper windows.
		WS_WIN=$(gui_main_window)
		[ -n "$WS_WIN" ] && break
		kill -0 "$WS_PID" 2>/dev/null || fail "wireshark exited: $(cat "$E2E_TMP/$name.ws")"
		sleep 0.2
	done
	[ -n "$WS_WIN" ] || fail "no Wireshark main window after 30 s"
	[ "$(ps -o uid= -p "$WS_PID" | tr -d " ")" = "$(id -u "$GUI_USER")" ] ||
		fail "wireshark runs as uid $(ps -o uid= -p "$WS_PID"), not the member $GUI_USER"
	gui_x xdotool windowmove "$WS_WIN" 0 0 windowsize "$WS_WIN" "$GUI_W" "$GUI_H"
	gui_x xdotool mousemove $((GUI_W - 5)) $((GUI_H - 5))
	sleep 2
}

# gui_main_window: the id of wireshark's main window (by its pid; at least 300x200), or nothing.
gui_main_window() {
	local w
	for w in $(gui_x xdotool search --onlyvisible --pid "$WS_PID" 2>/dev/null); do
		gui_x xdotool getwindowgeometry --shell "$w" 2>/dev/null |
			awk -F= '/^WIDTH/ { w = $2 } /^HEIGHT/ { h = $2 } END { exit !(w >= 300 && h >= 200) }' &&
			{ echo "$w"; return 0; }
	done
	return 0
}

# gui_window_named PATTERN TIMEOUT: the id of a visible window whose name matches PATTERN.
gui_window_named() {
	local i w
	for i in $(seq $(($2 * 5))); do
		w=$(gui_x xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n 1)
		[ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.2
	done
	return 1
}

# gui_key KEYS...: focus the main window and type KEYS (xdotool key names).
gui_key() {
	gui_x xdotool windowfocus --sync "$WS_WIN" 2>/dev/null || gui_x xdotool windowfocus "$WS_WIN"
	gui_x xdotool key --clearmodifiers "$@"
}

# gui_shot FILE: the whole screen.
gui_shot() { gui_x import -window root "$1"; }

# gui_quit: Ctrl+Q, then wait for wireshark to exit (killed after 15 s: that is a failure).
gui_quit() {
	local i
	gui_key ctrl+q
	for i in $(seq 75); do
		kill -0 "$WS_PID" 2>/dev/null || { wait "$WS_PID" 2>/dev/null; WS_PID=; return 0; }
		sleep 0.2
	done
	kill "$WS_PID" 2>/dev/null
	fail "wireshark did not quit on Ctrl+Q"
}

# The member's capture processes (the extcap, its privileged copy, dumpcap).
gui_capture_procs() {
	ps -u "$GUI_USER" -o pid=,comm= 2>/dev/null | awk '$2 == "ecapturedump" || $2 == "dumpcap" { print $1 }'
}

# gui_capture NAME N: wireshark as the member capturing live on ecapture-tls (-k) into
# $GUI_HOME/out/NAME.pcapng with the process columns and the display filter http.request;
# once ecapturedump is capturing, N curl requests to https://127.0.0.1:$TLS_PORT/gui/NAME/<i>
# (one process each; their pids in GUI_CURL_PIDS); then the capture is stopped from the GUI
# (Capture › Stop, Ctrl+E) once the file holds them, or after 20 s (gui_while_capturing, when
# defined, runs just before). The GUI stays open.
GUI_COLUMNS='"No.","%m","Time","%t","Process","%Cus:ecapture.comm:0:R","PID","%Cus:ecapture.pid:0:R","Source","%s","Destination","%d","Protocol","%p","Info","%i"'
gui_capture() {
	local name=$1 n=$2 i log file
	log=$GUI_HOME/out/$name.log
	file=$GUI_HOME/out/$name.pcapng
	GUI_FILE=$file
	gui_start_wireshark "$name" -i ecapture-tls -k -w "$file" -Y http.request \
		-o "gui.column.format:$GUI_COLUMNS" -o gui.layout_content_3:NONE \
		-o "extcap.ecapture_tls.logfile:$log"
	for i in $(seq 150); do
		grep -q 'capturing:' "$log" 2>/dev/null && break
		kill -0 "$WS_PID" 2>/dev/null || fail "wireshark exited: $(cat "$E2E_TMP/$name.ws")"
		sleep 0.2
	done
	grep -q 'capturing:' "$log" 2>/dev/null ||
		fail "ecapturedump (run by the GUI) never started capturing: $(cat "$log" 2>/dev/null)"
	log "the GUI is capturing; $n requests"
	GUI_CURL_PIDS=()
	for i in $(seq "$n"); do
		curl -sk --http1.1 "https://127.0.0.1:$TLS_PORT/gui/$name/$i" -o /dev/null 9>&- &
		GUI_CURL_PIDS+=("$!")
		wait $! || fail "curl $i failed"
	done
	for i in $(seq 40); do
		[ "$(tshark -r "$file" -Y "http.request.uri matches \"^/gui/$name/\"" 2>/dev/null | wc -l)" -ge "$n" ] &&
			break
		sleep 0.5
	done
	sleep 1
	[ -n "$(gui_capture_procs)" ] || fail "the member runs no ecapturedump or dumpcap while the GUI captures"
	# A caller's look at the running capture (screenshots.sh: the interface toolbar).
	if declare -F gui_while_capturing >/dev/null; then gui_while_capturing; fi
	log "stopping the capture from the GUI (Ctrl+E)"
	gui_key ctrl+e
	for i in $(seq 60); do
		[ -z "$(gui_capture_procs)" ] && break
		sleep 0.25
	done
	[ -z "$(gui_capture_procs)" ] ||
		fail "Ctrl+E did not stop the capture: still running: $(ps -o pid,comm -p "$(gui_capture_procs | paste -sd,)")"
	sleep 2
}

# gui_check_capture NAME N: the file the GUI saved holds the N requests of gui_capture NAME N
# decrypted, each once, each with its curl's pid and comm (from the plugin).
gui_check_capture() {
	local name=$1 n=$2 i fields
	fields=$E2E_TMP/$name.fields
	[ -s "$GUI_FILE" ] || fail "the GUI saved no capture at $GUI_FILE"
	[ "$(stat -c %U "$GUI_FILE")" = "$GUI_USER" ] ||
		fail "$GUI_FILE belongs to $(stat -c %U "$GUI_FILE"), not the member"
	tshark -r "$GUI_FILE" -Y http.request -T fields -e http.request.uri -e ecapture.pid \
		-e ecapture.comm >"$fields" 2>"$E2E_TMP/$name.tshark.err" ||
		fail "tshark cannot read $GUI_FILE: $(cat "$E2E_TMP/$name.tshark.err")"
	cat "$fields" >&2
	for i in $(seq "$n"); do
		[ "$(grep -cP "^/gui/$name/$i\t${GUI_CURL_PIDS[$((i - 1))]}\tcurl$" "$fields")" -eq 1 ] ||
			fail "request /gui/$name/$i (curl pid ${GUI_CURL_PIDS[$((i - 1))]}) is not in the GUI's capture once, decrypted, with its process"
	done
	[ "$(grep -c "^/gui/$name/" "$fields")" -eq "$n" ] ||
		fail "the GUI's capture has $(grep -c "^/gui/$name/" "$fields") /gui/$name/ requests, not $n"
	log "ok: the GUI's capture has all $n requests decrypted, each with its curl's pid and comm"
}
