// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The privileged copy acts for its user only (user_rights.h): a path the user cannot reach is
 * refused even when this process could open it (checked as nobody, with root's files in the
 * way), and ECAPTURE_* variables are ignored in a copy that gained capabilities at exec (this
 * test binary, copied and given a file capability, run as nobody). As root only; else skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "require_tools.h"
#include "user_rights.h"

static struct passwd *nobody;
static gchar *dir; /* 0755, root's */

/* Run FN in a child as nobody; it passes if FN returns 0. */
static void as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(nobody->pw_gid) || setuid(nobody->pw_uid))
			_exit(126);
		_exit(fn());
	}
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static int refused(const char *what, const char *path, int mode, bool create)
{
	GError *err = NULL;
	int r = create ? ec_user_may_create(what, path, &err)
	               : ec_user_may_access(what, path, mode, &err);

	if (r == 0 || !err || !strstr(err->message, "opened with your own rights") ||
	    !strstr(err->message, path)) {
		fprintf(stderr, "%s %s: not refused (%s)\n", what, path, err ? err->message : "");
		return 1;
	}
	g_error_free(err);
	return 0;
}

static int check_paths(void)
{
	g_autofree gchar *priv_fifo = g_build_filename(dir, "private", "fifo", NULL);
	g_autofree gchar *priv_new = g_build_filename(dir, "private", "new.pcapng", NULL);
	g_autofree gchar *open_new = g_build_filename(dir, "open", "new.pcapng", NULL);
	g_autofree gchar *open_fifo = g_build_filename(dir, "open", "fifo", NULL);
	GError *err = NULL;

	/* root's 0700 directory: nothing in it, whatever its own mode */
	if (refused("the FIFO", priv_fifo, W_OK, false) ||
	    refused("the control pipe", priv_fifo, R_OK, false) ||
	    refused("output file", priv_new, 0, true) || refused("output file", priv_fifo, 0, true))
		return 1;
	/* a FIFO of root's, 0600, in an open directory: not nobody's to write */
	if (refused("the FIFO", open_fifo, W_OK, false))
		return 2;
	/* an open directory: may create */
	if (ec_user_may_create("output file", open_new, &err)) {
		fprintf(stderr, "refused: %s\n", err->message);
		return 3;
	}
	return 0;
}

static void test_paths(void)
{
	g_autofree gchar *priv = g_build_filename(dir, "private", NULL);
	g_autofree gchar *open = g_build_filename(dir, "open", NULL);
	g_autofree gchar *pf = g_build_filename(priv, "fifo", NULL);
	g_autofree gchar *of = g_build_filename(open, "fifo", NULL);

	g_assert_cmpint(g_mkdir(priv, 0700), ==, 0);
	g_assert_cmpint(g_mkdir(open, 0777), ==, 0);
	g_assert_cmpint(chmod(open, 01777), ==, 0);
	g_assert_cmpint(mkfifo(pf, 0666), ==, 0);
	g_assert_cmpint(mkfifo(of, 0600), ==, 0);
	/* root itself (no file capabilities: AT_SECURE 0) may */
	g_assert_cmpint(ec_user_may_access("the FIFO", pf, W_OK, NULL), ==, 0);
	as_nobody(check_paths);
}

/* The child's part: print what ec_env_get sees. */
static int env_probe(void)
{
	const char *v = ec_env_get("ECAPTURE_HELPER_DIR");

	printf("%s\n", v ? v : "(ignored)");
	return 0;
}

static void test_env_at_secure(void)
{
	g_autofree gchar *copy = g_build_filename(dir, "probe", NULL);
	g_autofree gchar *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree gchar *contents = NULL;
	gsize len;
	const char *setcap[] = {"setcap", "cap_net_raw+ep", copy, NULL};
	gchar *out = NULL, *errout = NULL;
	gint status;
	GError *err = NULL;

	g_setenv("ECAPTURE_HELPER_DIR", "/somewhere", TRUE);
	g_assert_cmpstr(ec_env_get("ECAPTURE_HELPER_DIR"), ==, "/somewhere"); /* root keeps it */

	g_assert_true(g_file_get_contents(exe, &contents, &len, NULL));
	g_assert_true(g_file_set_contents(copy, contents, (gssize)len, NULL));
	g_assert_cmpint(chmod(copy, 0755), ==, 0);
	g_assert_true(g_spawn_sync(NULL, (gchar **)setcap, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
	                           NULL, NULL, &status, &err));
	g_assert_no_error(err);
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_test_skip("setcap failed (no file capabilities on this file system)");
		return;
	}
	{
		/* as nobody with a file capability: AT_SECURE */
		const char *argv[] = {"setpriv", "--reuid",     "nobody",
		                      "--regid", "nogroup",     "--clear-groups",
		                      copy,      "--env-probe", NULL};

		g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
		                           NULL, &out, &errout, &status, &err));
		g_assert_no_error(err);
		g_assert_cmpstr(out, ==, "(ignored)\n");
		g_free(out);
		g_free(errout);
	}
	{
		/* the same copy as root: AT_SECURE is 0 (no gain over root's own rights) */
		const char *argv[] = {copy, "--env-probe", NULL};

		g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
		                           &out, &errout, &status, &err));
		g_assert_no_error(err);
		g_assert_cmpstr(out, ==, "/somewhere\n");
		g_free(out);
		g_free(errout);
	}
}

int main(int argc, char **argv)
{
	GError *err = NULL;
	int ret;

	if (argc == 2 && strcmp(argv[1], "--env-probe") == 0)
		return env_probe();
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return EC_TEST_SKIP;
	}
	ec_test_require_tools((const char *const[]){"setcap", "setpriv", NULL});
	nobody = getpwnam("nobody");
	g_assert_nonnull(nobody);
	dir = g_dir_make_tmp("ec-rights-XXXXXX", &err);
	g_assert_no_error(err);
	g_assert_cmpint(chmod(dir, 0755), ==, 0);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/user_rights/paths", test_paths);
	g_test_add_func("/user_rights/env_at_secure", test_env_at_secure);
	ret = g_test_run();
	{
		const char *rm[] = {"rm", "-rf", dir, NULL};

		g_spawn_sync(NULL, (gchar **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
		             NULL, NULL);
	}
	g_free(dir);
	return ret;
}
