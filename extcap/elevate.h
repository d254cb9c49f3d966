/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capturing as a normal user, the way Wireshark runs dumpcap: the extcap in Wireshark's
 * directory runs with its user's rights; a privileged copy of the same program
 * (ECAPTURE_HELPER_DIR/ecapturedump, root:ecapture 0750 with file capabilities, set up by the
 * package) does the capture for members of the group.
 */
#ifndef EC_ELEVATE_H
#define EC_ELEVATE_H

#include <glib.h>

/*
 * Called when this process lacks the rights a capture needs (WHY says which): runs the
 * privileged copy with ARGV, and returns only if it cannot, with ERR saying why in words a
 * user can act on (not a member of the group, capturing by normal users not enabled).
 */
void ec_elevate(char **argv, const GError *why, GError **err);

#endif
