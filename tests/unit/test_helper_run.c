// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running the helper with another root's loader (ec_helper_run_in): the loader is that root's
 * code, so it must run as nobody, with no new privileges, and reach the files it is given only
 * through the descriptors we opened. A fake root whose "loader" is a script reports what it got.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "layouts/helper_run.h"

#define LOADER_SCRIPT                                                                              \
	"#!/bin/sh\n"                                                                              \
	"echo uid=$(id -u)\n"                                                                      \
	"echo nnp=$(awk '/^NoNewPrivs/ { print $2 }' /proc/self/status)\n"                         \
	"echo args=\"$*\"\n"                                                                       \
	"for a in \"$@\"; do n=${a#/proc/self/fd/}; case $n in $a | *[!0-9]*) continue;; esac; "   \
	"eval \"head -c 1 <&$n\" >/dev/null 2>&1 || echo unreadable=$a; done\n"                    \
	"echo status=ok\n"

static void test_foreign_loader_unprivileged(void)
{
	gchar *root = g_dir_make_tmp("ec-root-XXXXXX", NULL);
	gchar *lib64 = g_build_filename(root, "lib64", NULL);
	gchar *loader = g_build_filename(lib64, "ld-linux-x86-64.so.2", NULL);
	gchar *libdir = g_build_filename(root, "usr", "lib", "x86_64-linux-gnu", NULL);
	gchar *lib = g_build_filename(root, "libssl.so.3", NULL);
	gchar *argv[] = {"/nonexistent/ecapture-calibrate", "openssl", lib, NULL};
	struct ec_helper_result r = {0};
	GHashTable *kv;
	GError *err = NULL;

	if (geteuid() != 0) {
		g_test_skip("needs root: it checks that the loader runs without it");
		g_free(root);
		return;
	}
	g_assert_cmpint(g_mkdir_with_parents(lib64, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(libdir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(loader, LOADER_SCRIPT, -1, NULL));
	g_assert_cmpint(g_chmod(loader, 0755), ==, 0);
	/* a library only root may read: the loader gets it as a descriptor we opened */
	g_assert_true(g_file_set_contents(lib, "not a library", -1, NULL));
	g_assert_cmpint(g_chmod(lib, 0600), ==, 0);

	g_assert_true(ec_helper_run_in(root, argv, &r, &err));
	g_assert_no_error(err);
	g_test_message("%s", r.out->str);
	kv = ec_helper_parse(r.out->str, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(g_hash_table_lookup(kv, "uid"), ==, "65534");
	g_assert_cmpstr(g_hash_table_lookup(kv, "nnp"), ==, "1");
	g_assert_null(g_hash_table_lookup(kv, "unreadable"));
	/* our paths never reach it: the library and the directories come as descriptors */
	g_assert_null(strstr(g_hash_table_lookup(kv, "args"), root));
	g_assert_nonnull(strstr(g_hash_table_lookup(kv, "args"), "--library-path /proc/self/fd/"));
	g_hash_table_destroy(kv);
	ec_helper_result_clear(&r);

	g_unlink(lib);
	g_unlink(loader);
	g_rmdir(lib64);
	g_rmdir(libdir);
	g_free(lib);
	g_free(libdir);
	g_free(loader);
	g_free(lib64);
	g_free(root); /* the rest of the tree stays in /tmp: harmless */
}

/* A repeated key is refused, and an error shows at most 64 bytes of it (it is the library's). */
static void test_parse_repeated_key_bounded(void)
{
	g_autofree char *key = g_strnfill(5000, 'k');
	g_autofree char *text = g_strdup_printf("a=1\n%s=1\nb=2\n%s=2\n", key, key);
	g_autoptr(GError) err = NULL;
	GHashTable *kv = ec_helper_parse(text, &err);
	g_autofree char *shown = g_strnfill(64, 'k');
	g_autofree char *want = g_strdup_printf("the helper printed %s... twice", shown);

	g_assert_null(kv);
	g_assert_error(err, EC_LAYOUT_ERROR, EC_LAYOUT_ERROR_BAD_OUTPUT);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	kv = ec_helper_parse("status=ok\nstatus=ok\n", &err);
	g_assert_null(kv);
	g_assert_cmpstr(err->message, ==, "the helper printed status twice");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper_run/foreign_loader_unprivileged",
	                test_foreign_loader_unprivileged);
	g_test_add_func("/helper_run/parse_repeated_key_bounded", test_parse_repeated_key_bounded);
	return g_test_run();
}
