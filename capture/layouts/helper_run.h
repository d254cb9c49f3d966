/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running the calibration helper (ecapture-calibrate) and reading its "key=value" lines, for
 * every library whose layout it measures (OpenSSL, GnuTLS). Its errors, and those of every
 * layout built from its output, are in the EC_LAYOUT_ERROR domain.
 */
#ifndef EC_HELPER_RUN_H
#define EC_HELPER_RUN_H

#include <glib.h>

#define EC_LAYOUT_HELPER     "ecapture-calibrate"
#define EC_LAYOUT_TIMEOUT_MS 10000

#define EC_LAYOUT_ERROR      (ec_layout_error_quark())
GQuark ec_layout_error_quark(void);

enum ec_layout_error {
	EC_LAYOUT_ERROR_NO_HELPER,  /* ecapture-calibrate not found */
	EC_LAYOUT_ERROR_HELPER,     /* it could not be run, crashed, or timed out */
	EC_LAYOUT_ERROR_BAD_OUTPUT, /* it printed something we do not accept */
	EC_LAYOUT_ERROR_FAILED,     /* it ran and said the layout could not be calibrated */
	EC_LAYOUT_ERROR_PENDING,    /* it runs in the background (calibrations.h): ask again */
};

struct ec_helper_result {
	GString *out;
	GString *errout;
	int status; /* waitpid status */
	gboolean reaped;
};

/*
 * The helper: in $ECAPTURE_HELPER_DIR, then next to /proc/self/exe, then in the installed
 * ECAPTURE_HELPER_DIR (g_free).
 */
gchar *ec_helper_find(GError **err);

/* Runs ARGV in a clean environment, collecting its output; kills it after the time limit. */
gboolean ec_helper_run(gchar **argv, struct ec_helper_result *r, GError **err);

/*
 * The same, with the dynamic loader and the C library of another root directory (ROOT, e.g.
 * "/proc/PID/root" of a container): for a library built against a newer C library than ours.
 * The helper runs in our file system; only its loader and libraries come from ROOT.
 */
gboolean ec_helper_run_in(const char *root, gchar **argv, struct ec_helper_result *r, GError **err);
void ec_helper_result_clear(struct ec_helper_result *r);

/* Kills every helper running now, whole (their runs end as timed out would, at once). */
void ec_helper_kill_running(void);

/*
 * Runs ARGV (calibrating WHAT, the file named in the log) and parses what it printed. When it did
 * not say status=ok and ROOT is not NULL (the library lives in that root), asks again with ROOT's
 * loader and libraries (ec_helper_run_in) and keeps that answer if the helper spoke there. NULL
 * with ERR when no run printed anything usable; R holds the run whose answer is returned.
 */
GHashTable *ec_helper_ask(gchar **argv, const char *what, const char *root,
                          struct ec_helper_result *r, GError **err);

/* KEY=VALUE lines into a table (lines without '=' are skipped); NULL on a repeated key. */
GHashTable *ec_helper_parse(const char *text, GError **err);

/* Why a run that did not say status=ok failed, in one sentence (g_free). */
gchar *ec_helper_failure_reason(GHashTable *kv, struct ec_helper_result *r);

#endif
