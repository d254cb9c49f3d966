// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layout cache keys a result by the bytes calibrated, never by what a file says it is: a
 * planted file with a real library's build-id and size gets its own calibration, a copy of the
 * same bytes reuses one, a file rewritten in place is calibrated again, and the calibration is
 * given a copy of exactly the bytes that were hashed. Without waiting, libraries are calibrated
 * in the background, concurrently.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include <poll.h>

#include "layouts/calibrations.h"
#include "layouts/helper_run.h"
#include "layouts/layout_cache.h"

static const char *const names[] = {"first"};
static const int required[] = {1};
static const struct ec_layout_spec spec = {names, required, 1, 1000};

static int calls;
static gchar *last_bytes, *last_companion;

/* "Measures" the first byte of the file's copy. */
static gboolean fake_calibrate(const char *path, const char *root,
                               const struct ec_layout_snapshot *snap, __s32 *v, gchar **version,
                               GError **err)
{
	(void)path;
	(void)root;
	(void)err;
	calls++;
	g_free(last_bytes);
	g_free(last_companion);
	last_companion = NULL;
	g_assert_true(g_str_has_prefix(snap->lib, "/proc/self/fd/"));
	g_assert_true(g_file_get_contents(snap->lib, &last_bytes, NULL, NULL));
	if (snap->companion)
		g_assert_true(g_file_get_contents(snap->companion, &last_companion, NULL, NULL));
	v[0] = (unsigned char)last_bytes[0];
	*version = g_strdup("fake 1.0");
	return TRUE;
}

static __s32 ask(struct ec_layout_cache *c, const char *path, const char *companion)
{
	__s32 v = -1;
	gchar *version = NULL;
	GError *err = NULL;

	g_assert_cmpint(ec_layout_calibrate_cached(c, &spec, path, companion, NULL, fake_calibrate,
	                                           &v, &version, &err),
	                ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(version, ==, "fake 1.0");
	g_free(version);
	return v;
}

static void test_keyed_by_bytes(void)
{
	static struct ec_layout_cache cache;
	gchar *dir = g_dir_make_tmp("ec-layout-cache-XXXXXX", NULL);
	gchar *real = g_build_filename(dir, "real.so", NULL);
	gchar *copy = g_build_filename(dir, "copy.so", NULL);
	gchar *planted = g_build_filename(dir, "planted.so", NULL);
	gchar *crypto = g_build_filename(dir, "crypto.so", NULL);

	/* the same size (and, for a real ELF, the same build-id) but other bytes */
	g_assert_true(g_file_set_contents(real, "A-real-library", -1, NULL));
	g_assert_true(g_file_set_contents(copy, "A-real-library", -1, NULL));
	g_assert_true(g_file_set_contents(planted, "P-real-library", -1, NULL));
	g_assert_true(g_file_set_contents(crypto, "C", -1, NULL));

	calls = 0;
	g_assert_cmpint(ask(&cache, planted, NULL), ==, 'P');
	g_assert_cmpint(ask(&cache, real, NULL), ==, 'A'); /* not the planted file's result */
	g_assert_cmpint(calls, ==, 2);
	g_assert_cmpstr(last_bytes, ==, "A-real-library");
	g_assert_cmpint(ask(&cache, copy, NULL), ==, 'A'); /* the same bytes elsewhere */
	g_assert_cmpint(ask(&cache, real, NULL), ==, 'A');
	g_assert_cmpint(calls, ==, 2);

	/* the companion's bytes are part of the key, and it is given as a copy too */
	g_assert_cmpint(ask(&cache, real, crypto), ==, 'A');
	g_assert_cmpint(calls, ==, 3);
	g_assert_cmpstr(last_companion, ==, "C");
	g_assert_true(g_file_set_contents(crypto, "D", -1, NULL));
	g_assert_cmpint(ask(&cache, real, crypto), ==, 'A');
	g_assert_cmpint(calls, ==, 4);
	g_assert_cmpstr(last_companion, ==, "D");

	/* rewritten with the same size: calibrated again */
	g_assert_true(g_file_set_contents(real, "B-real-library", -1, NULL));
	g_assert_cmpint(ask(&cache, real, NULL), ==, 'B');
	g_assert_cmpint(calls, ==, 5);

	g_unlink(real);
	g_unlink(copy);
	g_unlink(planted);
	g_unlink(crypto);
	g_rmdir(dir);
	g_free(real);
	g_free(copy);
	g_free(planted);
	g_free(crypto);
	g_free(dir);
	g_free(last_bytes);
	g_free(last_companion);
}

/* Takes 300 ms, whatever the file: a slow library. */
static gboolean slow_calibrate(const char *path, const char *root,
                               const struct ec_layout_snapshot *snap, __s32 *v, gchar **version,
                               GError **err)
{
	(void)root;
	(void)snap;
	(void)err;
	g_usleep(300000);
	g_atomic_int_inc(&calls);
	v[0] = g_str_has_suffix(path, "a.so") ? 'a' : 'b';
	*version = g_strdup("slow 1.0");
	return TRUE;
}

static int find(struct ec_layout_cache *c, const char *path, __s32 *v, GError **err)
{
	return ec_layout_find_cached(c, &spec, path, NULL, NULL, slow_calibrate, v, NULL, err);
}

/*
 * Without waiting: a file not known yet is calibrated in the background (the answer: pending),
 * two files concurrently, each once however often it is asked; then the answer is there.
 */
static void test_background(void)
{
	static struct ec_layout_cache cache;
	gchar *dir = g_dir_make_tmp("ec-layout-cache-XXXXXX", NULL);
	gchar *a = g_build_filename(dir, "a.so", NULL);
	gchar *b = g_build_filename(dir, "b.so", NULL);
	GError *err = NULL;
	gint64 t0;
	__s32 v = 0;

	g_assert_true(g_file_set_contents(a, "library a", -1, NULL));
	g_assert_true(g_file_set_contents(b, "library b", -1, NULL));
	calls = 0;
	t0 = g_get_monotonic_time();
	for (int i = 0; i < 3; i++) {
		g_assert_cmpint(find(&cache, a, &v, &err), ==, -1);
		g_assert_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING);
		g_clear_error(&err);
		g_assert_cmpint(find(&cache, b, &v, &err), ==, -1);
		g_assert_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING);
		g_clear_error(&err);
	}
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 200000); /* nobody waited */
	g_assert_cmpint(
	    poll(&(struct pollfd){.fd = ec_calibrations_fd(), .events = POLLIN}, 1, 2000), ==, 1);
	ec_calibrations_wait();
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 550000); /* concurrently: not 600 ms */
	g_assert_cmpint(calls, ==, 2);
	g_assert_cmpint(find(&cache, a, &v, &err), ==, 0);
	g_assert_cmpint(v, ==, 'a');
	g_assert_cmpint(find(&cache, b, &v, &err), ==, 0);
	g_assert_cmpint(v, ==, 'b');
	g_assert_no_error(err);
	g_assert_cmpint(calls, ==, 2);

	/* the capture's end: what runs is ended (a helper would be killed) and waited for */
	g_assert_true(g_file_set_contents(a, "library a, changed", -1, NULL));
	g_assert_cmpint(find(&cache, a, &v, &err), ==, -1);
	g_assert_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_PENDING);
	g_clear_error(&err);
	ec_calibrations_stop();
	g_assert_cmpint(ec_calibrations_running(), ==, 0);
	g_unlink(a);
	g_unlink(b);
	g_rmdir(dir);
	g_free(a);
	g_free(b);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/layout_cache/keyed_by_bytes", test_keyed_by_bytes);
	g_test_add_func("/layout_cache/background", test_background);
	return g_test_run();
}
