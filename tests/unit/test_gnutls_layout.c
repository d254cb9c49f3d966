// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GnuTLS layout calibration through the real helper (from the build tree) on the installed
 * libgnutls: it succeeds with every required field, agrees with itself, and refuses clearly
 * what is not GnuTLS. (That the offsets give the real keys is proven end to end: tshark
 * decrypts gnutls-cli's traffic with them, tests/e2e/test_tls_gnutls.sh.)
 */
#include <string.h>
#include <glib.h>
#include <linux/types.h>

#include "layouts/gnutls_layout.h"
#include "layouts/ssl_layout.h"

#define LIBDIR    "/usr/lib/x86_64-linux-gnu"
#define LIBGNUTLS LIBDIR "/libgnutls.so.30"

static void test_installed(void)
{
	GError *err = NULL;
	struct ec_gnutls_layout l, again;
	g_autofree char *version = NULL, *described = NULL;
	gint64 t0;

	g_assert_cmpint(ec_gnutls_layout_calibrate(LIBGNUTLS, &l, &version, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_true(g_str_has_prefix(version, "3."));
	/* every secret fits in the session and none overlaps another (64-byte slots) */
	g_assert_cmpint(l.client_random, >=, 0);
	g_assert_cmpint(l.master_secret, >=, 0);
	g_assert_cmpint(l.version_ptr % 8, ==, 0);
	g_assert_cmpint(l.hash_ptr % 8, ==, 0);
	g_assert_cmpint(l.hs_skey - l.hs_ckey, >=, 32);
	g_assert_cmpint(l.ap_ckey - l.hs_skey, >=, 32);
	g_assert_cmpint(l.ap_skey - l.ap_ckey, >=, 32);
	described = ec_gnutls_layout_describe(&l);
	g_test_message("GnuTLS %s: %s", version, described);
	g_assert_nonnull(strstr(described, "hs_ckey=0x"));

	/* the cache answers the same, without running the helper again */
	t0 = g_get_monotonic_time();
	g_assert_cmpint(ec_gnutls_layout_calibrate(LIBGNUTLS, &again, NULL, &err), ==, 0);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 5000);
	g_assert_cmpmem(&l, sizeof(l), &again, sizeof(again));
}

static void test_refused(void)
{
	GError *err = NULL;
	struct ec_gnutls_layout l;

	g_assert_cmpint(ec_gnutls_layout_calibrate(LIBDIR "/libssl.so.3", &l, NULL, &err), ==, -1);
	g_assert_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_FAILED);
	g_assert_nonnull(strstr(err->message, "has no gnutls_"));
	g_assert_cmpint(l.hs_ckey, ==, -1);
	g_clear_error(&err);
	g_assert_cmpint(ec_gnutls_layout_calibrate("/nonexistent/libgnutls.so.30", &l, NULL, &err),
	                ==, -1);
	g_assert_nonnull(err);
	g_clear_error(&err);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gnutls_layout/installed", test_installed);
	g_test_add_func("/gnutls_layout/refused", test_refused);
	return g_test_run();
}
