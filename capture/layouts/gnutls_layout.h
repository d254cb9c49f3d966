/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session layout of one libgnutls, measured by the ecapture-calibrate helper in a fresh,
 * unprivileged process (never taken from a version table). Results, failures included, are
 * cached per file (device, inode, size, mtime) for the life of the process.
 */
#ifndef EC_GNUTLS_LAYOUT_H
#define EC_GNUTLS_LAYOUT_H

#include <linux/types.h>
#include <glib.h>

#include "ecapture/events.h"

/*
 * Calibrates LIBGNUTLS_PATH. On success fills OUT and, if VERSION_TEXT is not NULL, sets it to
 * the library's version ("3.7.9", g_free). Returns 0, or -1 with ERR (EC_LAYOUT_ERROR).
 */
int ec_gnutls_layout_calibrate(const char *libgnutls_path, struct ec_gnutls_layout *out,
                               char **version_text, GError **err);

/* The same for a library in ROOT (see ec_ssl_layout_calibrate_in). */
int ec_gnutls_layout_calibrate_in(const char *libgnutls_path, const char *root,
                                  struct ec_gnutls_layout *out, char **version_text, GError **err);

/* The same without waiting (see ec_ssl_layout_find_in). */
int ec_gnutls_layout_find_in(const char *libgnutls_path, const char *root,
                             struct ec_gnutls_layout *out, char **version_text, GError **err);

/* One line for logs: "client_random=0x50 ... ap_expkey=0x18d4". */
gchar *ec_gnutls_layout_describe(const struct ec_gnutls_layout *l);

#endif
