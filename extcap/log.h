/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where messages go. Under Wireshark, stderr is what it shows the user as the capture's error,
 * so only errors go there; the rest goes to --log-file. Standalone, messages go to stderr.
 */
#ifndef EC_LOG_H
#define EC_LOG_H

#include <stdbool.h>
#include <glib.h>

/* LEVEL: "error", "critical", "warning", "message", "info", "debug", "noisy" (Wireshark's). */
int ec_log_setup(const char *level, const char *file, bool extcap_child, GError **err);

/* Also hand every line that is logged (escaped, one line) to FN; NULL: no longer. */
typedef void (*ec_log_sink)(GLogLevelFlags level, const char *line, void *data);
void ec_log_set_sink(ec_log_sink fn, void *data);

#endif
