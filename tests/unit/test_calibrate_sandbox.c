// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calibration helper's sandbox against a library written to get out of it
 * (tests/e2e/hostile/hostile.c, built here with gcc): run through the engine's own path
 * (ec_helper_run), it writes no file, connects nowhere, leaves no process behind and answers at
 * once instead of at the time limit. With root it runs as nobody; without, in a user namespace
 * when the kernel allows one: the helper says which in its output.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "layouts/helper_run.h"
#include "require_tools.h"

static int listen_any_port(int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(bind(s, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(s, 8), ==, 0);
	g_assert_cmpint(getsockname(s, (struct sockaddr *)&sa, &len), ==, 0);
	*port = ntohs(sa.sin_port);
	return s;
}

/* Processes named ec-hostile-kid that are alive (not zombies). */
static int hostile_kids(void)
{
	GDir *d = g_dir_open("/proc", 0, NULL);
	const char *name;
	int n = 0;

	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename("/proc", name, "stat", NULL);
		g_autofree gchar *stat = NULL;

		if (g_file_get_contents(path, &stat, NULL, NULL) &&
		    strstr(stat, "(ec-hostile-kid) ") && !strstr(stat, "(ec-hostile-kid) Z"))
			n++;
	}
	g_dir_close(d);
	return n;
}

static void test_hostile(void)
{
	const char *tools[] = {"gcc", NULL};
	g_autofree gchar *dir = g_dir_make_tmp("ec-sandbox-XXXXXX", NULL);
	g_autofree gchar *marks = g_build_filename(dir, "marks", NULL);
	g_autofree gchar *lib = g_build_filename(dir, "libssl.so.3", NULL);
	g_autofree gchar *helper = ec_helper_find(NULL);
	g_autofree gchar *src =
	    g_build_filename(TEST_SOURCE_DIR, "e2e", "hostile", "hostile.c", NULL);
	g_autofree gchar *def_marks = NULL, *def_port = NULL, *written = NULL, *late = NULL;
	struct ec_helper_result r = {0};
	GError *err = NULL;
	GHashTable *kv;
	gint64 t0;
	int port, s, status;

	ec_test_require_tools(tools);
	g_assert_nonnull(helper);
	g_assert_cmpint(g_mkdir(marks, 0777), ==, 0);
	g_assert_cmpint(g_chmod(marks, 01777), ==, 0); /* nobody could write here */
	g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
	s = listen_any_port(&port);
	def_marks = g_strdup_printf("-DMARKS=\"%s\"", marks);
	def_port = g_strdup_printf("-DPORT=%d", port);
	{
		gchar *argv[] = {"gcc",
		                 "-shared",
		                 "-fPIC",
		                 "-O1",
		                 def_marks,
		                 def_port,
		                 "-Wl,-soname,libssl.so.3",
		                 "-o",
		                 lib,
		                 src,
		                 NULL};

		g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
		                           NULL, &status, &err));
		g_assert_no_error(err);
		g_assert_true(g_spawn_check_wait_status(status, NULL));
	}

	t0 = g_get_monotonic_time();
	{
		gchar *argv[] = {helper, "openssl", lib, NULL};

		g_assert_true(ec_helper_run(argv, &r, &err));
	}
	g_assert_no_error(err);
	g_test_message("%s in %ld ms", r.out->str, (long)((g_get_monotonic_time() - t0) / 1000));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 3 * G_USEC_PER_SEC);
	kv = ec_helper_parse(r.out->str, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(g_hash_table_lookup(kv, "status"), ==,
	                "error"); /* it ran, and is no OpenSSL */
	g_hash_table_destroy(kv);

	g_usleep(3500 * 1000); /* a child it forked would leave its mark after 3 s */
	written = g_build_filename(marks, "written", NULL);
	late = g_build_filename(marks, "late", NULL);
	g_assert_false(g_file_test(written, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(late, G_FILE_TEST_EXISTS));
	g_assert_cmpint(accept(s, NULL, NULL), ==, -1); /* nobody connected */
	g_assert_cmpint(hostile_kids(), ==, 0);
	g_assert_nonnull(strstr(r.out->str, "\nsandbox=session ")); /* it says what it had */
	g_assert_nonnull(strstr(r.out->str, " seccomp\n"));

	close(s);
	ec_helper_result_clear(&r);
	g_unlink(lib);
	g_rmdir(marks);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/calibrate_sandbox/hostile", test_hostile);
	return g_test_run();
}
