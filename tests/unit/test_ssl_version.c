// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OpenSSL version detection from the files, compared with what the linked libcrypto says
 * about itself; other TLS libraries are simulated by patching the version text of a copy.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "targets/elf_info.h"
#include "targets/ssl_version.h"

#define LIBDIR    "/usr/lib/x86_64-linux-gnu"
#define LIBSSL    LIBDIR "/libssl.so.3"
#define LIBCRYPTO LIBDIR "/libcrypto.so.3"

static struct ec_openssl_version detect_ok(const char *path)
{
	struct ec_openssl_version v;
	GError *err = NULL;

	g_assert_cmpint(ec_openssl_version_detect(path, &v, &err), ==, 0);
	g_assert_no_error(err);
	return v;
}

/* What the installed library says at run time is what the files say. */
static void check_installed(const struct ec_openssl_version *v)
{
	g_assert_cmpstr(v->text, ==, OpenSSL_version(OPENSSL_VERSION));
	g_assert_cmpint(v->major, ==, OPENSSL_version_major());
	g_assert_cmpint(v->minor, ==, OPENSSL_version_minor());
	g_assert_cmpint(v->patch, ==, OPENSSL_version_patch());
	/* the headers we built against belong to the same package */
	g_assert_cmpint(v->major, ==, OPENSSL_VERSION_MAJOR);
	g_assert_cmpint(v->minor, ==, OPENSSL_VERSION_MINOR);
	g_assert_cmpint(v->patch, ==, OPENSSL_VERSION_PATCH);
	g_assert_cmpstr(v->letter, ==, "");
	g_assert_cmpstr(v->soname, ==, "libssl.so.3");
	g_assert_nonnull(v->symver);
	g_assert_true(g_str_has_prefix(v->symver, "OPENSSL_3."));
}

static void test_installed(void)
{
	struct ec_openssl_version v = detect_ok(LIBSSL);

	check_installed(&v);
	g_assert_cmpstr(v.libcrypto_path, ==, LIBCRYPTO);
	ec_openssl_version_clear(&v);
}

static void test_proc_self_root(void)
{
	struct ec_openssl_version v = detect_ok("/proc/self/root" LIBSSL);

	check_installed(&v);
	g_assert_cmpstr(v.libcrypto_path, ==, "/proc/self/root" LIBCRYPTO);
	ec_openssl_version_clear(&v);
}

static void test_errors(void)
{
	struct ec_openssl_version v;
	GError *err = NULL;
	gchar *path = NULL;
	int fd = g_file_open_tmp("ec-notelf-XXXXXX", &path, &err);

	g_assert_no_error(err);
	g_assert_cmpint(write(fd, "not an ELF file at all\n", 23), ==, 23);
	close(fd);
	g_assert_cmpint(ec_openssl_version_detect(path, &v, &err), ==, -1);
	g_assert_error(err, EC_ELF_ERROR, EC_ELF_ERROR_NOT_ELF);
	g_assert_nonnull(strstr(err->message, path));
	g_clear_error(&err);
	g_unlink(path);
	g_free(path);

	g_assert_cmpint(ec_openssl_version_detect("/nonexistent/libssl.so.3", &v, &err), ==, -1);
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&err);

	/* an ELF file that is no TLS library */
	g_assert_cmpint(ec_openssl_version_detect(LIBDIR "/libc.so.6", &v, &err), ==, -1);
	g_assert_error(err, EC_SSL_VERSION_ERROR, EC_SSL_VERSION_ERROR_NO_VERSION);
	g_clear_error(&err);
}

static void test_parse(void)
{
	static const struct {
		const char *text;
		int major, minor, patch;
		const char *letter;
	} good[] = {
	    {"OpenSSL 3.0.22 25 Aug 2026", 3, 0, 22, ""},
	    {"OpenSSL 1.1.1w  11 Sep 2023", 1, 1, 1, "w"},
	    {"OpenSSL 1.0.2zi  1 Aug 2023", 1, 0, 2, "zi"},
	    {"OpenSSL 3.0.13+quic 30 Jan 2024", 3, 0, 13, ""},
	    {"OpenSSL 1.0.1e-fips 11 Feb 2013", 1, 0, 1, "e"},
	    {"OpenSSL 3.4.0-dev  xx XXX xxxx", 3, 4, 0, ""},
	};
	static const char *const bad[] = {
	    "LibreSSL 3.8.2",
	    "OpenSSL 1.1.1 (compatible; BoringSSL)",
	    "OpenSSL 3.0 or later is required",
	    "BoringSSL",
	    "",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		struct ec_openssl_version v = {0};

		g_assert_true(ec_openssl_version_parse(good[i].text, &v));
		g_assert_cmpint(v.major, ==, good[i].major);
		g_assert_cmpint(v.minor, ==, good[i].minor);
		g_assert_cmpint(v.patch, ==, good[i].patch);
		g_assert_cmpstr(v.letter, ==, good[i].letter);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct ec_openssl_version v = {0};

		g_assert_false(ec_openssl_version_parse(bad[i], &v));
	}
}

struct fake_dir {
	gchar *dir, *libssl, *libcrypto;
};

/*
 * A directory with a copy of libssl and a copy of libcrypto whose version text is replaced by
 * NEW_TEXT (NULL: no libcrypto at all).
 */
static struct fake_dir make_fake(const char *new_text)
{
	struct fake_dir f;
	GError *err = NULL;
	gchar *data = NULL;
	gsize len = 0;

	f.dir = g_dir_make_tmp("ec-fake-ssl-XXXXXX", &err);
	g_assert_no_error(err);
	f.libssl = g_build_filename(f.dir, "libssl.so.3", NULL);
	f.libcrypto = g_build_filename(f.dir, "libcrypto.so.3", NULL);
	g_assert_true(g_file_get_contents(LIBSSL, &data, &len, &err));
	g_assert_true(g_file_set_contents(f.libssl, data, (gssize)len, &err));
	g_free(data);
	if (new_text) {
		const char *old = OpenSSL_version(OPENSSL_VERSION);
		gchar *at;

		g_assert_true(g_file_get_contents(LIBCRYPTO, &data, &len, &err));
		at = memmem(data, len, old, strlen(old) + 1);
		g_assert_nonnull(at);
		g_assert_cmpuint(strlen(new_text), <=, strlen(old));
		memset(at, 0, strlen(old));
		memcpy(at, new_text, strlen(new_text));
		g_assert_true(g_file_set_contents(f.libcrypto, data, (gssize)len, &err));
		g_free(data);
	}
	g_assert_no_error(err);
	return f;
}

static void free_fake(struct fake_dir *f)
{
	g_unlink(f->libssl);
	g_unlink(f->libcrypto);
	g_rmdir(f->dir);
	g_free(f->libssl);
	g_free(f->libcrypto);
	g_free(f->dir);
}

/* libcrypto next to libssl wins over the system one */
static void test_sibling_first(void)
{
	struct fake_dir f = make_fake("OpenSSL 3.0.99 1 Jan 2099");
	struct ec_openssl_version v = detect_ok(f.libssl);

	g_assert_cmpstr(v.text, ==, "OpenSSL 3.0.99 1 Jan 2099");
	g_assert_cmpint(v.patch, ==, 99);
	g_assert_cmpstr(v.libcrypto_path, ==, f.libcrypto);
	ec_openssl_version_clear(&v);
	free_fake(&f);
}

/* no libcrypto next to it: the usual library directories */
static void test_lib_dirs(void)
{
	struct fake_dir f = make_fake(NULL);
	struct ec_openssl_version v = detect_ok(f.libssl);

	g_assert_cmpstr(v.text, ==, OpenSSL_version(OPENSSL_VERSION));
	g_assert_true(g_str_has_suffix(v.libcrypto_path, "/libcrypto.so.3"));
	g_assert_true(g_file_test(v.libcrypto_path, G_FILE_TEST_IS_REGULAR));
	ec_openssl_version_clear(&v);
	free_fake(&f);
}

static void expect_error(const char *new_text, gint code, const char *needle)
{
	struct fake_dir f = make_fake(new_text);
	struct ec_openssl_version v;
	GError *err = NULL;

	g_assert_cmpint(ec_openssl_version_detect(f.libssl, &v, &err), ==, -1);
	g_assert_error(err, EC_SSL_VERSION_ERROR, code);
	g_test_message("%s", err->message);
	g_assert_nonnull(strstr(err->message, needle));
	g_clear_error(&err);
	free_fake(&f);
}

static void test_not_openssl(void)
{
	expect_error("BoringSSL", EC_SSL_VERSION_ERROR_NOT_OPENSSL, "BoringSSL, not OpenSSL");
	expect_error("LibreSSL 3.8.2", EC_SSL_VERSION_ERROR_NOT_OPENSSL,
	             "LibreSSL 3.8.2, not OpenSSL");
	expect_error("nothing to see", EC_SSL_VERSION_ERROR_NO_VERSION, "no OpenSSL version text");
}

/* libssl.so.3 / OPENSSL_3.0.0 with a libcrypto claiming another release */
static void test_mismatch(void)
{
	expect_error("OpenSSL 1.1.1w 11 Sep 2023", EC_SSL_VERSION_ERROR_MISMATCH,
	             "symbol version OPENSSL_3.");
	expect_error("OpenSSL 4.0.1 11 Sep 2030", EC_SSL_VERSION_ERROR_MISMATCH,
	             "symbol version OPENSSL_3.");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ssl_version/installed", test_installed);
	g_test_add_func("/ssl_version/proc_self_root", test_proc_self_root);
	g_test_add_func("/ssl_version/errors", test_errors);
	g_test_add_func("/ssl_version/parse", test_parse);
	g_test_add_func("/ssl_version/sibling_first", test_sibling_first);
	g_test_add_func("/ssl_version/lib_dirs", test_lib_dirs);
	g_test_add_func("/ssl_version/not_openssl", test_not_openssl);
	g_test_add_func("/ssl_version/mismatch", test_mismatch);
	return g_test_run();
}
