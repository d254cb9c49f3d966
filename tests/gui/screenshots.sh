#!/usr/bin/env bash
# Screenshots of the Wireshark GUI with ecapturedump, for the README, taken as a normal user in
# the group ecapture with the Debian package installed (as root: it installs and purges the
# package, creates and removes the user; the build under BUILD_DIR, when set, is installed again):
#   BUILD_DIR=build tests/gui/screenshots.sh [OUTDIR]        (OUTDIR: docs/images)
#   gui-interfaces.png  the welcome page: the eCapture interfaces, eCapture TLS selected
#   gui-config.png      eCapture TLS's options (the gear next to it), the Capture tab
#   gui-capture.png     a live capture of curl's HTTPS requests to nginx: decrypted HTTP with
#                       the Process and PID columns (ecapture.comm, ecapture.pid), first
#                       request selected
#   gui-toolbar.png     the interface toolbar while the capture runs (only when the interfaces
#                       declare one; then gui-capture.png shows it too)
# The capture the GUI saved is checked like tests/e2e/test_gui.sh checks it.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/lib.sh"
OUT=${1:-$GUI_SRC/docs/images}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
require_root
gui_require_tools

# save SHOT NAME GEOMETRY: crop GEOMETRY (WxH+X+Y) out of SHOT into OUT/NAME.png, stripped and
# with a palette when 256 colours keep it readable (the GUI uses far fewer).
save() {
	convert "$1" -crop "$3" +repage -strip -dither None -colors 256 \
		-define png:compression-level=9 "PNG8:$OUT/$2.png"
	log "$OUT/$2.png: $(identify -format '%wx%h' "$OUT/$2.png"), $(stat -c %s "$OUT/$2.png") bytes"
}

# selected_row SHOT: "Y LEFT" of the row drawn in the selection colour (Qt's blue highlight, a
# gradient): its middle line and its left edge, looking down the column x = 3/4 of the screen.
blue='NR > 1 { split($1, a, /[,:]/); gsub(/[()]/, "", $2); split($2, c, ",");
	if (c[3] > 150 && c[3] - c[1] > 80) print a[1], a[2] }'
selected_row() {
	local x=$((GUI_W * 3 / 4)) y left
	y=$(convert "$1" -crop "1x${GUI_H}+$x+0" +repage txt:- | awk "$blue" |
		awk '{ ys[n++] = $2 } END { if (n) print ys[int(n / 2)] }')
	[ -n "$y" ] || return 1
	left=$(convert "$1" -crop "${GUI_W}x1+0+$y" +repage txt:- | awk "$blue" | awk 'NR == 1 { print $1 }')
	echo "$y $left"
}

gui_install_package
start_nginx
gui_start_xvfb
T=$E2E_TMP

log "the welcome page"
gui_start_wireshark welcome
# Select eCapture TLS in the interface list: click the name of the first interface (selected at
# start), then type the name: the list's keyboard search looks in the column clicked.
gui_shot "$T/welcome0.png"
read -r y left <<<"$(selected_row "$T/welcome0.png")" || fail "no selected interface on the welcome page"
y0=$y
gui_x xdotool windowfocus "$WS_WIN"
gui_x xdotool mousemove $((left + 60)) "$y" click 1
sleep 0.5
gui_x xdotool type --delay 60 "eCapture TLS"
gui_x xdotool mousemove $((GUI_W - 5)) $((GUI_H - 5))
sleep 1
gui_shot "$T/welcome.png"
read -r y left <<<"$(selected_row "$T/welcome.png")" || fail "no selected interface after typing its name"
[ "$y" != "$y0" ] || fail "typing 'eCapture TLS' did not select another interface"
save "$T/welcome.png" gui-interfaces "${GUI_W}x640+0+0"

log "the options of eCapture TLS (the gear at the start of its row)"
gui_x xdotool mousemove $((left + 11)) "$y" click 1
DLG=$(gui_window_named 'Interface Options: eCapture TLS' 15) ||
	fail "the gear at ($((left + 11)), $y) opened no 'Interface Options: eCapture TLS' dialog"
sleep 1
# The third tab (Filter, Libraries, Capture): the most options. Ctrl+Tab needs the focus in the
# tabs: the first field (Process IDs) is clicked first.
gui_x xdotool windowfocus "$DLG"
eval "$(gui_x xdotool getwindowgeometry --shell "$DLG")"
gui_x xdotool mousemove --window "$DLG" $((WIDTH / 2)) 61 click 1
sleep 0.3
gui_x xdotool key --clearmodifiers ctrl+Tab ctrl+Tab
gui_x xdotool mousemove $((GUI_W - 5)) $((GUI_H - 5))
sleep 1
gui_shot "$T/config.png"
eval "$(gui_x xdotool getwindowgeometry --shell "$DLG")"
# The dialog (no window manager: no frame) and, at its left, the selected eCapture TLS row.
cx=$((left - 8 < 0 ? 0 : left - 8))
cy=$((Y - 50 < 0 ? 0 : Y - 50))
save "$T/config.png" gui-config "$((X + WIDTH + 24 - cx))x$((HEIGHT + 74))+$cx+$cy"
gui_x xdotool key Escape
sleep 0.5
gui_quit

# The interface toolbar (when the interfaces declare one: `control` lines): shown through the
# member's profile (the recent file's list of interface toolbars, named as View › Interface
# Toolbars names it) and shot while the capture runs.
extcap_bin=$(pkg-config --variable=libdir wireshark)/wireshark/extcap/ecapturedump
TOOLBAR=
rm -f "$OUT/gui-toolbar.png"
if [ "$("$extcap_bin" --extcap-interfaces --extcap-version=4.0 | grep -c '^control ')" -gt 0 ]; then
	# Wireshark names the toolbar after the extcap sentence's display, not an interface's.
	TOOLBAR=$("$extcap_bin" --extcap-interfaces --extcap-version=4.0 |
		sed -n 's/^extcap .*{display=\([^}]*\)}.*/\1/p')
	[ -n "$TOOLBAR" ] || fail "the extcap sentence of --extcap-interfaces has no display"
	recent=$GUI_HOME/.config/wireshark/recent
	runuser -u "$GUI_USER" -- sh -c 'mkdir -p "$(dirname "$1")"; touch "$1"
		sed -i "/^gui.interface_toolbar_show:/d" "$1"
		printf "gui.interface_toolbar_show: \"%s\"\n" "$2" >>"$1"' sh "$recent" "$TOOLBAR"
	gui_while_capturing() {
		gui_x xdotool mousemove $((GUI_W - 5)) $((GUI_H - 5))
		sleep 1
		gui_shot "$T/toolbar.png"
		save "$T/toolbar.png" gui-toolbar "${GUI_W}x${GUI_H}+0+0"
	}
fi

log "a live capture${TOOLBAR:+, with the interface toolbar}"
gui_capture shot 12
gui_check_capture shot 12
# (No early exit in a pipe: under pipefail a writer killed by SIGPIPE fails it.)
# The first request selected (Go › First Packet); in its details (focused by a click on a top
# row: every packet has a comment, its row is green), the process (the last top item) and
# HTTP (the one above it) expanded. Printable keys would go to the display filter: arrows only.
gui_key ctrl+Home
sleep 1
gui_shot "$T/capture0.png"
if [ -n "$TOOLBAR" ]; then
	# The toolbar is a row between the display filter (its green: a valid filter) and the
	# packet list: without it the first packet's row is one header row (~35 px) below the filter.
	fbar=$(convert "$T/capture0.png" -crop "1x200+$((GUI_W / 2))+0" +repage txt:- |
		awk 'NR > 1 && $3 == "#AFFFAF" { split($1, a, /[,:]/); y = a[2] } END { print y + 0 }')
	# The selected first packet: the topmost selection blue (the details pane has some too).
	y=$(convert "$T/capture0.png" -crop "1x${GUI_H}+$((GUI_W * 3 / 4))+0" +repage txt:- |
		awk "$blue" | awk 'NR == 1 { print $2 }')
	[ -n "$y" ] || fail "no selected packet"
	[ "$fbar" -gt 0 ] && [ $((y - fbar)) -gt 50 ] ||
		fail "no interface toolbar under the display filter (filter bar ends at y=$fbar, first packet at y=$y)"
	log "the interface toolbar $TOOLBAR is shown ($((y - fbar)) px between the filter and the first packet)"
fi
dy=$(convert "$T/capture0.png" -crop "1x$((GUI_H / 2))+$((GUI_W / 2))+$((GUI_H / 2))" +repage txt:- |
	awk -v off=$((GUI_H / 2)) 'NR > 1 && ($3 == "#B7F774" || $3 == "#80B7F7") {
		split($1, a, /[,:]/); if (!y) y = a[2] + off + 6 } END { if (y) print y }')
[ -n "$dy" ] || fail "no packet details under the selected request"
gui_x xdotool mousemove 100 "$dy" click 1
sleep 0.3
gui_x xdotool key End Right Up Right
sleep 1
gui_x xdotool mousemove $((GUI_W - 5)) $((GUI_H - 5))
sleep 0.5
gui_shot "$T/capture.png"
save "$T/capture.png" gui-capture "${GUI_W}x${GUI_H}+0+0"

gui_quit
log "done: $(ls "$OUT"/gui-*.png | xargs -n1 basename | paste -sd' ')"
