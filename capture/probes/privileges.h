/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether this process may do what a capture needs: load BPF, attach TC programs and uprobes. */
#ifndef EC_PRIVILEGES_H
#define EC_PRIVILEGES_H

#include <glib.h>

/* TRUE if it may; FALSE with ERR saying what is missing. */
gboolean ec_capture_privileged(GError **err);

#endif
