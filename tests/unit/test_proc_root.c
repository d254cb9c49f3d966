// SPDX-License-Identifier: GPL-2.0-or-later
/* Paths inside another root: the prefix, and symlinks re-rooted at it. */
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "targets/proc_root.h"

static void test_prefix(void)
{
	static const struct {
		const char *path, *prefix;
	} cases[] = {
	    {"/proc/123/root/usr/lib/libssl.so.3", "/proc/123/root"},
	    {"/proc/self/root/usr/lib/libssl.so.3", "/proc/self/root"},
	    {"/proc/123/root", "/proc/123/root"},
	    {"/proc/123/rootfs/x", ""},
	    {"/proc/abc/root/x", ""},
	    {"/proc/123/cwd/x", ""},
	    {"/usr/lib/libssl.so.3", ""},
	    {"relative/path", ""},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gchar *p = ec_root_prefix(cases[i].path);

		g_assert_cmpstr(p, ==, cases[i].prefix);
		g_free(p);
	}
}

static void touch(const char *path)
{
	g_assert_true(g_file_set_contents(path, "x", 1, NULL));
}

/* A fake container root: /lib -> usr/lib, an absolute link, a dot-dot link, a loop. */
static void test_resolve(void)
{
	GError *err = NULL;
	gchar *root = g_dir_make_tmp("ec-root-XXXXXX", &err);
	gchar *p, *want;

	g_assert_no_error(err);
#define AT(rel) g_build_filename(root, rel, NULL)
	gchar *usr_lib = AT("usr/lib");
	g_assert_cmpint(g_mkdir_with_parents(usr_lib, 0755), ==, 0);
	gchar *real = AT("usr/lib/libcrypto.so.3.0");
	touch(real);
	gchar *lib = AT("lib"), *abs_link = AT("usr/lib/libcrypto.so.3"),
	      *dotdot = AT("usr/lib/up"), *loop = AT("usr/lib/loop");
	g_assert_cmpint(symlink("usr/lib", lib), ==, 0);
	/* absolute: must resolve inside ROOT, not on the host */
	g_assert_cmpint(symlink("/lib/libcrypto.so.3.0", abs_link), ==, 0);
	g_assert_cmpint(symlink("../../../../../lib", dotdot), ==, 0);
	g_assert_cmpint(symlink("loop", loop), ==, 0);

	p = ec_resolve_in_root(root, "/lib/libcrypto.so.3", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(p, ==, real);
	g_free(p);

	/* .. never climbs above the root */
	p = ec_resolve_in_root(root, "/usr/lib/up/libcrypto.so.3.0", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(p, ==, real);
	g_free(p);

	p = ec_resolve_in_root(root, "/", &err);
	g_assert_no_error(err);
	want = g_strconcat(root, "/", NULL);
	g_assert_cmpstr(p, ==, want);
	g_free(want);
	g_free(p);

	g_assert_null(ec_resolve_in_root(root, "/usr/lib/loop", &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_LOOP);
	g_clear_error(&err);
	g_assert_null(ec_resolve_in_root(root, "/usr/lib/missing.so", &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&err);

	/* the empty prefix is our own root */
	p = ec_resolve_in_root("", "/proc/self/root/proc/self/root/etc/passwd", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(p, ==, "/etc/passwd");
	g_free(p);

	g_unlink(loop);
	g_unlink(dotdot);
	g_unlink(abs_link);
	g_unlink(lib);
	g_unlink(real);
	g_rmdir(usr_lib);
	p = AT("usr");
	g_rmdir(p);
	g_free(p);
	g_rmdir(root);
	g_free(loop);
	g_free(dotdot);
	g_free(abs_link);
	g_free(lib);
	g_free(real);
	g_free(usr_lib);
	g_free(root);
#undef AT
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/proc_root/prefix", test_prefix);
	g_test_add_func("/proc_root/resolve", test_resolve);
	return g_test_run();
}
