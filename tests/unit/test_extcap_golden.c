// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* setresuid */
/*
 * What Wireshark is told: the output of the built ecapturedump's --extcap-interfaces, and of
 * --extcap-dlts and --extcap-config for every interface, against the files of
 * tests/unit/golden/extcap/. A change to an interface or a dialog shows as a diff of those files:
 *
 *   ECAPTURE_UPDATE_GOLDEN=1 build/tests/test_extcap_golden    # rewrite them, then git diff
 *
 * The program runs unprivileged (as nobody when the test is root, no capabilities): the listing
 * calls load nothing into the kernel and need no rights. Two parts are not this program's text
 * but the build's or the host's, and are normalised: the version and the README's address
 * (@VERSION@, @DOC_URL@, the values compiled in), and the network interfaces offered by
 * ecapture-tls's --netif (the run of value lines after its arg becomes one @NETIF_VALUES@ line;
 * each of those lines is checked for its form, and the loopback interface must be among them).
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

#define GOLDEN_DIR TEST_SOURCE_DIR "/unit/golden/extcap"
#define NOBODY     65534

static const char *const ifaces[] = {"ecapture-tls", "ecapture-bash", "ecapture-zsh",
                                     "ecapture-mysqld", "ecapture-postgres"};

static void drop_root(gpointer data)
{
	(void)data;
	if (geteuid() != 0)
		return;
	/* the child's last chance to say why: on failure it exits before exec, the test sees 127 */
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(127);
}

/* Runs ecapturedump with ARGS (NULL-terminated) unprivileged; its stdout, stderr and status. */
static void run_dump(const char *const *args, char **out, char **err, int *status)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	int wait_status;

	g_ptr_array_add(argv, (gpointer)ECAPTUREDUMP);
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	g_ptr_array_add(argv, NULL);
	g_assert_true(g_spawn_sync("/", (char **)argv->pdata, envp, G_SPAWN_DEFAULT, drop_root,
	                           NULL, out, err, &wait_status, &error));
	g_assert_no_error(error);
	*status = g_spawn_check_wait_status(wait_status, NULL) ? 0
	          : WIFEXITED(wait_status)                     ? WEXITSTATUS(wait_status)
	                                                       : -1;
}

/* Every occurrence of FROM in S replaced by TO. */
static void replace_all(GString *s, const char *from, const char *to)
{
	g_assert_cmpuint(strlen(from), >, 0);
	g_string_replace(s, from, to, 0);
}

/*
 * The values of ecapture-tls's --netif arg: checked, then replaced by one placeholder line. The
 * host's interfaces come and go (other tests make some), so only their form is pinned.
 */
static void normalise_netifs(GString *s)
{
	g_auto(GStrv) lines = g_strsplit(s->str, "\n", -1);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GRegex) arg_re =
	    g_regex_new("^arg \\{number=([0-9]+)\\}\\{call=--netif\\}", 0, 0, NULL);
	g_autofree char *value_prefix = NULL;
	g_autofree char *value_pattern = NULL;
	g_autoptr(GRegex) value_re = NULL;
	bool have_lo = false, in_values = false, seen_arg = false;

	for (char **l = lines; *l; l++) {
		g_autoptr(GMatchInfo) m = NULL;

		if (in_values && g_str_has_prefix(*l, value_prefix)) {
			g_autoptr(GMatchInfo) v = NULL;

			if (!g_regex_match(value_re, *l, 0, &v))
				g_error("a --netif value of an unexpected form: %s", *l);
			if (!strcmp(*l + strlen(value_prefix),
			            "lo}{display=lo (loopback)}{default=false}") ||
			    !strcmp(*l + strlen(value_prefix),
			            "lo}{display=lo (loopback) (down)}{default=false}"))
				have_lo = true;
			continue;
		}
		if (in_values) {
			g_string_append(out, "@NETIF_VALUES@\n");
			in_values = false;
		}
		if (g_regex_match(arg_re, *l, 0, &m)) {
			g_autofree char *n = g_match_info_fetch(m, 1);

			g_assert_false(seen_arg);
			seen_arg = in_values = true;
			value_prefix = g_strdup_printf("value {arg=%s}{value=", n);
			/* a name, shown as itself (+ loopback, down); unchecked */
			value_pattern =
			    g_strdup_printf("^value \\{arg=%s\\}\\{value=([^{}]+)\\}"
			                    "\\{display=\\1( \\(loopback\\))?( \\(down\\))?\\}"
			                    "\\{default=false\\}$",
			                    n);
			value_re = g_regex_new(value_pattern, 0, 0, NULL);
			g_assert_nonnull(value_re);
		}
		g_string_append(out, *l);
		if (l[1])
			g_string_append_c(out, '\n');
	}
	g_assert_true(seen_arg);
	g_assert_false(in_values); /* the arg is never the last line */
	if (!have_lo)
		g_error("--netif does not offer the loopback interface lo:\n%s", s->str);
	g_string_assign(s, out->str);
}

/* OUTPUT against golden file NAME, or written to it with ECAPTURE_UPDATE_GOLDEN=1. */
static void compare_golden(const char *name, const char *output)
{
	g_autofree char *golden = g_build_filename(GOLDEN_DIR, name, NULL);
	g_autofree char *expected = NULL;
	g_autoptr(GError) error = NULL;

	if (g_getenv("ECAPTURE_UPDATE_GOLDEN")) {
		g_assert_cmpint(g_mkdir_with_parents(GOLDEN_DIR, 0755), ==, 0);
		g_assert_true(g_file_set_contents(golden, output, -1, &error));
		g_test_message("wrote %s", golden);
		return;
	}
	if (!g_file_get_contents(golden, &expected, NULL, &error))
		g_error("%s (make it: ECAPTURE_UPDATE_GOLDEN=1 %s)", error->message,
		        g_get_prgname());
	if (strcmp(expected, output) != 0) {
		g_autofree char *actual_dir =
		    g_build_filename(TEST_BINARY_DIR, "golden-actual", NULL);
		g_autofree char *actual = g_build_filename(actual_dir, name, NULL);
		const char *diff_argv[] = {"diff", "-u", golden, actual, NULL};
		g_autofree char *diff = NULL;

		g_assert_cmpint(g_mkdir_with_parents(actual_dir, 0755), ==, 0);
		g_assert_true(g_file_set_contents(actual, output, -1, &error));
		g_spawn_sync(NULL, (char **)diff_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &diff,
		             NULL, NULL, NULL);
		g_printerr("%s differs from what ecapturedump prints now:\n%s\n"
		           "If the change is meant, rewrite the golden files with "
		           "ECAPTURE_UPDATE_GOLDEN=1 %s and review git diff.\n",
		           golden, diff ? diff : "(diff failed)", g_get_prgname());
		g_test_fail();
	}
}

/* Runs ARGS; it must succeed silently; its output, normalised, must be golden file NAME. */
static void check(const char *name, const char *const *args, bool netifs)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GString) text = NULL;
	int status;

	run_dump(args, &out, &err, &status);
	g_assert_cmpstr(err, ==, "");
	g_assert_cmpint(status, ==, 0);
	text = g_string_new(out);
	replace_all(text, "{version=" ECAPTURE_VERSION "}", "{version=@VERSION@}");
	replace_all(text, "{help=" ECAPTURE_DOC_URL "}", "{help=@DOC_URL@}");
	if (netifs)
		normalise_netifs(text);
	compare_golden(name, text->str);
}

static void test_interfaces(void)
{
	const char *args[] = {"--extcap-interfaces", NULL};

	check("interfaces.txt", args, false);
}

static void test_dlts(gconstpointer data)
{
	const char *iface = data;
	const char *args[] = {"--extcap-dlts", "--extcap-interface", iface, NULL};
	g_autofree char *name = g_strdup_printf("dlts-%s.txt", iface);

	check(name, args, false);
}

static void test_config(gconstpointer data)
{
	const char *iface = data;
	const char *args[] = {"--extcap-config", "--extcap-interface", iface, NULL};
	g_autofree char *name = g_strdup_printf("config-%s.txt", iface);

	check(name, args, !strcmp(iface, "ecapture-tls"));
}

/* An interface we do not offer: refused, named, nothing on stdout. */
static void test_unknown_interface(void)
{
	const char *calls[][4] = {{"--extcap-config", "--extcap-interface", "ecapture-nope", NULL},
	                          {"--extcap-dlts", "--extcap-interface", "ecapture-nope", NULL}};

	for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
		g_autofree char *out = NULL, *err = NULL;
		int status;

		run_dump(calls[i], &out, &err, &status);
		g_assert_cmpint(status, ==, 1);
		g_assert_cmpstr(out, ==, "");
		g_assert_cmpstr(err, ==, "ecapturedump: unknown interface \"ecapture-nope\"\n");
	}
}

/* The normalisation itself: a host's interfaces become the placeholder; a stray form fails. */
static void test_normalise_netifs(void)
{
	g_autoptr(GString) s =
	    g_string_new("arg {number=2}{call=--libssl}\n"
	                 "arg {number=3}{call=--netif}{display=N}\n"
	                 "value {arg=3}{value=eth0}{display=eth0}{default=false}\n"
	                 "value {arg=3}{value=lo}{display=lo (loopback)}"
	                 "{default=false}\n"
	                 "value {arg=3}{value=wg0}{display=wg0 (down)}"
	                 "{default=false}\n"
	                 "arg {number=4}{call=--hold-ms}\n");

	normalise_netifs(s);
	g_assert_cmpstr(s->str, ==,
	                "arg {number=2}{call=--libssl}\n"
	                "arg {number=3}{call=--netif}{display=N}\n"
	                "@NETIF_VALUES@\n"
	                "arg {number=4}{call=--hold-ms}\n");
	if (g_test_subprocess()) {
		g_autoptr(GString) bad =
		    g_string_new("arg {number=3}{call=--netif}\n"
		                 "value {arg=3}{value=lo}{display=lo (loopback)}"
		                 "{default=false}\n"
		                 "value {arg=3}{value=a}{display=b}"
		                 "{default=false}\n"
		                 "arg {number=4}\n");

		normalise_netifs(bad);
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_failed();
	g_test_trap_assert_stderr("*unexpected form*value=a*");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/extcap_golden/normalise_netifs", test_normalise_netifs);
	g_test_add_func("/extcap_golden/interfaces", test_interfaces);
	for (size_t i = 0; i < G_N_ELEMENTS(ifaces); i++) {
		g_autofree char *dlts = g_strdup_printf("/extcap_golden/dlts/%s", ifaces[i]);
		g_autofree char *config = g_strdup_printf("/extcap_golden/config/%s", ifaces[i]);

		g_test_add_data_func(dlts, ifaces[i], test_dlts);
		g_test_add_data_func(config, ifaces[i], test_config);
	}
	g_test_add_func("/extcap_golden/unknown_interface", test_unknown_interface);
	return g_test_run();
}
