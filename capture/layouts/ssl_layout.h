/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SSL struct layout of one libssl, measured at run time by the ecapture-calibrate helper
 * (never guessed from a version table). Results, failures included, are cached per file
 * (st_dev, st_ino, size, mtime) for the life of the process.
 */
#ifndef EC_SSL_LAYOUT_H
#define EC_SSL_LAYOUT_H

#include <linux/types.h>
#include <glib.h>

#include "ecapture/events.h"
#include "layouts/helper_run.h" /* errors: EC_LAYOUT_ERROR */

/*
 * Calibrates LIBSSL_PATH (which may be under /proc/PID/root). The helper is looked for in
 * $ECAPTURE_HELPER_DIR, then next to /proc/self/exe, then in the installed ECAPTURE_HELPER_DIR.
 * On success fills OUT (-1 for fields this build lacks) and, if VERSION_TEXT is not NULL, sets
 * it to the library's version text (g_free). Returns 0, or -1 with ERR set. Thread-safe:
 * libraries are calibrated concurrently, each once.
 */
int ec_ssl_layout_calibrate(const char *libssl_path, struct ec_ssl_layout *out, char **version_text,
                            GError **err);

/*
 * The same for a library that lives in another root directory (ROOT, "/proc/PID/root" of a
 * process using it; NULL: ours): when our loader cannot load it (built for a newer C library),
 * the helper runs with ROOT's loader and libraries.
 */
int ec_ssl_layout_calibrate_in(const char *libssl_path, const char *root, struct ec_ssl_layout *out,
                               char **version_text, GError **err);

/*
 * The same without waiting for the helper (ec_layout_find_cached): -1 with
 * EC_LAYOUT_ERROR_PENDING while the library is calibrated in the background.
 */
int ec_ssl_layout_find_in(const char *libssl_path, const char *root, struct ec_ssl_layout *out,
                          char **version_text, GError **err);

/* Every field -1. */
void ec_ssl_layout_init_absent(struct ec_ssl_layout *l);

/* One line for logs: "version=0x0 client_random=0x160 ... bio_num=-" (- = absent). */
gchar *ec_ssl_layout_describe(const struct ec_ssl_layout *l);

#endif
