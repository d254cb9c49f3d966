#!/usr/bin/env bash
# The Wireshark GUI (Debian's 4.0, Qt, under Xvfb) run by a normal user who is a member of the
# group ecapture, with the Debian package installed (capabilities question answered yes):
# Wireshark captures live on eCapture TLS (-k, -w FILE, process columns), curl makes HTTPS
# requests to nginx, the capture is stopped from the GUI (Ctrl+E) and Wireshark quits (Ctrl+Q).
# The file the GUI saved must hold every request decrypted, once, with its curl's pid and comm.
# Afterwards the package is purged, the user removed and the build under test installed again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../gui/lib.sh"
require_root
gui_require_tools
gui_install_package
start_nginx
gui_start_xvfb
N=8
gui_capture live "$N"
gui_check_capture live "$N"
gui_quit
[ -z "$(gui_capture_procs)" ] || fail "capture processes left after Wireshark quit"
assert_clean
log "PASS"
