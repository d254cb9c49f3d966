// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line's PID lists (extcap/args.c, compiled in): each process once, however often
 * it is named, in one list or in repeated options, and the toolbar's lists alike; more than
 * EC_CAPTURE_PIDS_MAX distinct processes refused.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "args.h"

static void test_list_dedup(void)
{
	g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	pid_t me = getpid(), parent = getppid();

	for (int i = 0; i < 1100; i++)
		g_string_append_printf(text, "%s%d", i ? "," : "", (int)me);
	g_assert_cmpint(ec_args_parse_pid_list(text->str, pids, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpuint(pids->len, ==, 1);
	g_assert_cmpint(g_array_index(pids, pid_t, 0), ==, me);
	/* a second list (the option repeated) adds only what is new */
	g_string_printf(text, "%d %d,%d", (int)parent, (int)me, (int)parent);
	g_assert_cmpint(ec_args_parse_pid_list(text->str, pids, &err), ==, 0);
	g_assert_cmpuint(pids->len, ==, 2);
	g_assert_cmpint(g_array_index(pids, pid_t, 1), ==, parent);
}

static void test_option_repeated(void)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	struct ec_args a = {0};
	struct ec_capture_opts o;
	g_autoptr(GError) err = NULL;

	g_ptr_array_add(argv, g_strdup("ecapturedump"));
	for (int i = 0; i < 400; i++) {
		g_ptr_array_add(argv, g_strdup("--pid"));
		g_ptr_array_add(argv, g_strdup_printf("%d,%d", (int)getpid(), (int)getpid()));
	}
	g_ptr_array_add(argv, NULL);
	/* The parser takes out what it parsed: it is given a copy of the pointers, argv frees. */
	g_autofree char **view = g_memdup2(argv->pdata, argv->len * sizeof(char *));
	g_assert_cmpint(ec_args_parse((int)argv->len - 1, view, &a, &err), ==, 0);
	g_assert_no_error(err);
	ec_capture_opts_init(&o);
	g_assert_cmpint(ec_args_to_capture_opts(&a, &o, &err), ==, 0);
	g_assert_cmpuint(o.pids->len, ==, 1);
	ec_capture_opts_clear(&o);
	ec_args_clear(&a);
}

/* EC_CAPTURE_PIDS_MAX distinct live processes pass; one more is refused. */
static void test_bound(void)
{
	enum { N = EC_CAPTURE_PIDS_MAX + 1 };
	g_autoptr(GArray) children = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GError) err = NULL;

	for (int i = 0; i < N; i++) {
		pid_t pid = fork();

		g_assert_cmpint(pid, >=, 0);
		if (pid == 0) {
			pause();
			_exit(0);
		}
		g_array_append_val(children, pid);
		g_string_append_printf(text, "%s%d", i ? "," : "", (int)pid);
	}
	g_assert_cmpint(ec_args_parse_pid_list(text->str, pids, &err), ==, -1);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "at most 1024 processes"));
	/* the same list without its last pid, every pid twice: fits */
	g_clear_error(&err);
	g_array_set_size(pids, 0);
	*strrchr(text->str, ',') = '\0';
	g_string_append_c(text, ',');
	g_string_append(text, text->str);
	g_assert_cmpint(ec_args_parse_pid_list(text->str, pids, &err), ==, 0);
	g_assert_cmpuint(pids->len, ==, EC_CAPTURE_PIDS_MAX);
	for (guint i = 0; i < children->len; i++) {
		kill(g_array_index(children, pid_t, i), SIGKILL);
		waitpid(g_array_index(children, pid_t, i), NULL, 0);
	}
}

/* --text-group: none (the default) or connection; anything else is refused, named. */
static void test_text_group(void)
{
	static const struct {
		const char *arg;
		int ret;
		bool group;
	} cases[] = {{NULL, 0, false},
	             {"--text-group=none", 0, false},
	             {"--text-group=connection", 0, true},
	             {"--text-group=stream", -1, false}};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *argv[] = {"ecapturedump", (char *)cases[i].arg, NULL};
		struct ec_args a = {0};
		struct ec_capture_opts o;
		g_autoptr(GError) err = NULL;

		g_assert_cmpint(ec_args_parse(cases[i].arg ? 2 : 1, argv, &a, &err), ==, 0);
		ec_capture_opts_init(&o);
		g_assert_cmpint(ec_args_to_capture_opts(&a, &o, &err), ==, cases[i].ret);
		if (cases[i].ret)
			g_assert_nonnull(strstr(err->message, "unknown --text-group \"stream\""));
		else
			g_assert_cmpint(o.text_group, ==, cases[i].group);
		ec_capture_opts_clear(&o);
		ec_args_clear(&a);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/args/pid_list_dedup", test_list_dedup);
	g_test_add_func("/args/pid_option_repeated", test_option_repeated);
	g_test_add_func("/args/pid_bound", test_bound);
	g_test_add_func("/args/text_group", test_text_group);
	return g_test_run();
}
