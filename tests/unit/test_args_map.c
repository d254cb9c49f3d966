// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The command line's mapping (extcap/args.c, compiled in): each option of the extcap protocol
 * and of the CLI into struct ec_args, then ec_args_to_capture_opts into the capture's options;
 * the defaults when nothing is given; every refused value with its message, and which refusal
 * comes first. PID lists are in test_args.c. What is pinned here is today's behaviour, quirks
 * included (--hold-ms 0 keeps the default; --mode means nothing to the audit interfaces).
 */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "args.h"

/* ARGS (NULL-terminated, without the program name) through ec_args_parse; must parse. */
static void parse_ok(struct ec_args *a, const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) err = NULL;

	g_ptr_array_add(argv, g_strdup("ecapturedump"));
	for (const char *const *p = args; *p; p++)
		g_ptr_array_add(argv, g_strdup(*p));
	g_ptr_array_add(argv, NULL);
	/* the parser takes out what it read: it gets a copy of the pointers, argv frees */
	g_autofree char **view = g_memdup2(argv->pdata, argv->len * sizeof(char *));
	g_assert_cmpint(ec_args_parse((int)argv->len - 1, view, a, &err), ==, 0);
	g_assert_no_error(err);
}

/* ARGS parsed, then mapped for SOURCE; the mapping's result, ERR set when it fails. */
static int map(struct ec_args *a, struct ec_capture_opts *o, enum ec_source source,
               const char *const *args, GError **err)
{
	parse_ok(a, args);
	ec_capture_opts_init(o);
	o->source = source;
	return ec_args_to_capture_opts(a, o, err);
}

/* ARGS mapped for SOURCE: the mapping must succeed. */
static void map_ok(struct ec_args *a, struct ec_capture_opts *o, enum ec_source source,
                   const char *const *args)
{
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(map(a, o, source, args, &err), ==, 0);
}

/* What a mapping left to free. */
static void unmap(struct ec_args *a, struct ec_capture_opts *o)
{
	ec_capture_opts_clear(o);
	ec_args_clear(a);
}

/* ARGS must be refused by the mapping with exactly MESSAGE (as for SOURCE). */
static void refused(enum ec_source source, const char *const *args, const char *message)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(map(&a, &o, source, args, &err), ==, -1);
	g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
	g_assert_cmpstr(err->message, ==, message);
	unmap(&a, &o);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void assert_strv(char **got, const char *const *want)
{
	g_assert_nonnull(got);
	g_assert_cmpuint(g_strv_length(got), ==, g_strv_length((char **)want));
	for (guint i = 0; want[i]; i++)
		g_assert_cmpstr(got[i], ==, want[i]);
}

static const char *const none[] = {NULL};

/* Nothing given: the engine's defaults, empty lists (never NULL), nothing to filter. */
static void test_defaults(void)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(map(&a, &o, EC_SOURCE_TLS, none, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_false(a.extcap_interfaces || a.extcap_dlts || a.extcap_config || a.capture);
	g_assert_null(a.extcap_interface);
	g_assert_null(a.fifo);
	g_assert_null(a.write);
	g_assert_null(a.mode);
	g_assert_null(a.log_level);
	g_assert_nonnull(a.help_text);
	g_assert_cmpint(o.source, ==, EC_SOURCE_TLS);
	g_assert_cmpuint(o.pids->len, ==, 0);
	g_assert_false(o.filter_uid);
	g_assert_cmpuint(o.tls_libs, ==, EC_TLSLIB_ALL);
	assert_strv(o.libssl, none);
	assert_strv(o.libgnutls, none);
	assert_strv(o.libnspr, none);
	assert_strv(o.gobin, none);
	assert_strv(o.netifs, none);
	g_assert_cmpuint(o.hold_ms, ==, 3000);
	g_assert_false(o.write_unclaimed);
	g_assert_cmpuint(o.duration_ms, ==, 0);
	g_assert_false(o.tc_legacy);
	g_assert_true(o.packets);
	g_assert_false(o.records);
	g_assert_false(o.text_group);
	g_assert_null(o.bash_path);
	g_assert_null(o.readline_path);
	g_assert_null(o.zsh_path);
	g_assert_null(o.mysqld_path);
	g_assert_null(o.postgres_path);
	g_assert_false(o.failed_only);
	g_assert_null(o.capture_filter);
	g_assert_null(o.keylog);
	/* not the mapping's: the front end chooses the output (main.c) */
	g_assert_cmpint(o.output_kind, ==, EC_OUT_PCAPNG);
	g_assert_null(o.output);
	g_assert_cmpint(o.output_fd, ==, -1);
	unmap(&a, &o);
}

/* The extcap protocol's options, as Wireshark gives them. */
static void test_extcap_options(void)
{
	struct ec_args a = {0};

	parse_ok(&a, ARGS("--extcap-interfaces", "--extcap-version=4.0.17"));
	g_assert_true(a.extcap_interfaces);
	g_assert_cmpstr(a.extcap_version, ==, "4.0.17");
	ec_args_clear(&a);

	parse_ok(&a, ARGS("--extcap-interface", "ecapture-zsh", "--extcap-dlts"));
	g_assert_true(a.extcap_dlts);
	g_assert_cmpstr(a.extcap_interface, ==, "ecapture-zsh");
	ec_args_clear(&a);

	parse_ok(&a, ARGS("--extcap-config", "--extcap-interface=ecapture-tls",
	                  "--extcap-reload-option", "netif"));
	g_assert_true(a.extcap_config);
	g_assert_cmpstr(a.extcap_interface, ==, "ecapture-tls");
	g_assert_cmpstr(a.extcap_reload_option, ==, "netif");
	ec_args_clear(&a);

	parse_ok(&a, ARGS("--capture", "--extcap-interface", "ecapture-tls", "--fifo", "/tmp/f",
	                  "--extcap-capture-filter", "tcp port 443", "--extcap-control-in",
	                  "/tmp/in", "--extcap-control-out", "/tmp/out", "--log-level", "debug",
	                  "--log-file", "/tmp/log"));
	g_assert_true(a.capture);
	g_assert_cmpstr(a.fifo, ==, "/tmp/f");
	g_assert_cmpstr(a.capture_filter, ==, "tcp port 443");
	g_assert_cmpstr(a.control_in, ==, "/tmp/in");
	g_assert_cmpstr(a.control_out, ==, "/tmp/out");
	g_assert_cmpstr(a.log_level, ==, "debug");
	g_assert_cmpstr(a.log_file, ==, "/tmp/log");
	ec_args_clear(&a);

	/* -i and -f: the CLI's names of the same options */
	parse_ok(&a, ARGS("-i", "ecapture-mysqld", "-f", "port 3306"));
	g_assert_cmpstr(a.extcap_interface, ==, "ecapture-mysqld");
	g_assert_cmpstr(a.capture_filter, ==, "port 3306");
	ec_args_clear(&a);
}

/* The CLI's own switches (read by main.c, not mapped). */
static void test_cli_switches(void)
{
	struct ec_args a = {0};

	parse_ok(&a, ARGS("-v", "--version", "--list-targets", "-w", "out.pcapng"));
	g_assert_true(a.verbose);
	g_assert_true(a.version);
	g_assert_true(a.list_targets);
	g_assert_cmpstr(a.write, ==, "out.pcapng");
	ec_args_clear(&a);
	parse_ok(&a, ARGS("--write=-"));
	g_assert_cmpstr(a.write, ==, "-");
	ec_args_clear(&a);
}

/* An option the parser does not know: refused; --capture and --fifo still taken for fail(). */
static void test_unknown_option(void)
{
	static const char *const calls[][5] = {
	    {"--capture", "--no-such-option", "--fifo", "/tmp/f1", NULL},
	    {"--no-such-option", "--capture", "--fifo=/tmp/f1", NULL},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
		char *argv[6] = {"ecapturedump"};
		int argc = 1;
		struct ec_args a = {0};
		g_autoptr(GError) err = NULL;

		for (const char *const *p = calls[i]; *p; p++)
			argv[argc++] = (char *)*p;
		g_assert_cmpint(ec_args_parse(argc, argv, &a, &err), ==, -1);
		g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION);
		g_assert_nonnull(strstr(err->message, "--no-such-option"));
		g_assert_true(a.capture);
		g_assert_cmpstr(a.fifo, ==, "/tmp/f1");
		ec_args_clear(&a);
	}
}

/* Values the option parser itself refuses: not numbers, or missing. */
static void test_not_numbers(void)
{
	static const char *const bad[] = {"--hold-ms=soon", "--duration=long", "-a", NULL};

	for (const char *const *b = bad; *b; b++) {
		char *argv[] = {"ecapturedump", (char *)*b, NULL};
		struct ec_args a = {0};
		g_autoptr(GError) err = NULL;

		g_assert_cmpint(ec_args_parse(2, argv, &a, &err), ==, -1);
		g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
		ec_args_clear(&a);
	}
}

/* --pid: numbers of existing processes; anything else named. */
static void test_pid(void)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;
	g_autofree char *me = g_strdup_printf("%d", (int)getpid());

	map_ok(&a, &o, EC_SOURCE_TLS, ARGS("--pid", me));
	g_assert_cmpuint(o.pids->len, ==, 1);
	g_assert_cmpint(g_array_index(o.pids, pid_t, 0), ==, getpid());
	unmap(&a, &o);

	refused(EC_SOURCE_TLS, ARGS("--pid=abc"), "invalid process ID \"abc\"");
	refused(EC_SOURCE_TLS, ARGS("--pid=0"), "invalid process ID \"0\"");
	refused(EC_SOURCE_TLS, ARGS("--pid=-5"), "invalid process ID \"-5\"");
	refused(EC_SOURCE_TLS, ARGS("--pid=12x"), "invalid process ID \"12x\"");
	refused(EC_SOURCE_TLS, ARGS("--pid=1073741824"), "invalid process ID \"1073741824\"");
	/* the largest accepted number, above any kernel's pid_max (PID_MAX_LIMIT is 4194304) */
	refused(EC_SOURCE_TLS, ARGS("--pid=1073741823"), "process 1073741823 does not exist");
}

/* --uid: a number or a user's name; empty: no filter. */
static void test_uid(void)
{
	static const struct {
		const char *arg;
		bool filter;
		uint32_t uid;
	} ok[] = {{"--uid=", false, 0},
	          {"--uid=0", true, 0},
	          {"--uid=root", true, 0},
	          {"--uid=1234", true, 1234},
	          {"--uid=4294967294", true, 4294967294u}};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		struct ec_args a = {0};
		struct ec_capture_opts o;

		map_ok(&a, &o, EC_SOURCE_TLS, ARGS(ok[i].arg));
		g_assert_cmpint(o.filter_uid, ==, ok[i].filter);
		g_assert_cmpuint(o.uid, ==, ok[i].uid);
		unmap(&a, &o);
	}
	refused(EC_SOURCE_TLS, ARGS("--uid=no-such-user-ec"), "unknown user \"no-such-user-ec\"");
	/* (uid_t)-1 is no user's: read as a name, and there is none */
	refused(EC_SOURCE_TLS, ARGS("--uid=4294967295"), "unknown user \"4294967295\"");
	refused(EC_SOURCE_TLS, ARGS("--uid=-1"), "unknown user \"-1\"");
	refused(EC_SOURCE_TLS, ARGS("--uid=12ab"), "unknown user \"12ab\"");
}

/* --libssl, --libgnutls, --libnspr, --gobin: repeatable, comma-separated, empty parts dropped. */
static void test_paths(void)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;

	map_ok(&a, &o, EC_SOURCE_TLS,
	       ARGS("--libssl", "/a/libssl.so.3,,/b/libssl.so.1.1", "--libssl", "/c/lib ssl.so",
	            "--libgnutls", "/g1,/g2", "--libnspr", ",/n,", "--gobin", "/go/bin/x",
	            "--gobin", "/go/bin/y"));
	assert_strv(o.libssl, ARGS("/a/libssl.so.3", "/b/libssl.so.1.1", "/c/lib ssl.so"));
	assert_strv(o.libgnutls, ARGS("/g1", "/g2"));
	assert_strv(o.libnspr, ARGS("/n"));
	assert_strv(o.gobin, ARGS("/go/bin/x", "/go/bin/y"));
	unmap(&a, &o);
}

/* --netif: repeatable, separated by commas or spaces. */
static void test_netif(void)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;

	map_ok(&a, &o, EC_SOURCE_TLS, ARGS("--netif", "lo, eth0", "--netif=wg0,", "--netif="));
	assert_strv(o.netifs, ARGS("lo", "eth0", "wg0"));
	unmap(&a, &o);
}

/* --tls-libs: names (any case, commas or spaces, repeatable) to bits; none: all. */
static void test_tls_libs(void)
{
	const struct {
		const char *const *args;
		uint32_t bits;
	} ok[] = {
	    {ARGS("--tls-libs=openssl"), EC_TLSLIB_OPENSSL},
	    {ARGS("--tls-libs=gnutls"), EC_TLSLIB_GNUTLS},
	    {ARGS("--tls-libs=nss"), EC_TLSLIB_NSS},
	    {ARGS("--tls-libs=go"), EC_TLSLIB_GO},
	    {ARGS("--tls-libs=OpenSSL, GO"), EC_TLSLIB_OPENSSL | EC_TLSLIB_GO},
	    {ARGS("--tls-libs=gnutls", "--tls-libs", "nss gnutls"),
	     EC_TLSLIB_GNUTLS | EC_TLSLIB_NSS},
	    {ARGS("--tls-libs=openssl,gnutls,nss,go"),
	     EC_TLSLIB_OPENSSL | EC_TLSLIB_GNUTLS | EC_TLSLIB_NSS | EC_TLSLIB_GO},
	    {ARGS("--tls-libs="), EC_TLSLIB_ALL},
	    {ARGS("--tls-libs=, ,"), EC_TLSLIB_ALL},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		struct ec_args a = {0};
		struct ec_capture_opts o;

		map_ok(&a, &o, EC_SOURCE_TLS, ok[i].args);
		g_assert_cmphex(o.tls_libs, ==, ok[i].bits);
		unmap(&a, &o);
	}
	refused(EC_SOURCE_TLS, ARGS("--tls-libs=openssl,boringssl"),
	        "unknown TLS library \"boringssl\" (openssl, gnutls, nss or go)");
	refused(EC_SOURCE_TLS, ARGS("--tls-libs=open-ssl"),
	        "unknown TLS library \"open-ssl\" (openssl, gnutls, nss or go)");
}

/* --hold-ms: 1 to 600000 taken; 0 keeps the default; outside refused. */
static void test_hold_ms(void)
{
	static const struct {
		const char *arg;
		unsigned int hold;
	} ok[] = {{"--hold-ms=0", 3000},
	          {"--hold-ms=1", 1},
	          {"--hold-ms=100", 100},
	          {"--hold-ms=600000", 600000}};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		struct ec_args a = {0};
		struct ec_capture_opts o;

		map_ok(&a, &o, EC_SOURCE_TLS, ARGS(ok[i].arg));
		g_assert_cmpuint(o.hold_ms, ==, ok[i].hold);
		unmap(&a, &o);
	}
	refused(EC_SOURCE_TLS, ARGS("--hold-ms=600001"), "--hold-ms must be between 0 and 600000");
	refused(EC_SOURCE_TLS, ARGS("--hold-ms=-1"), "--hold-ms must be between 0 and 600000");
}

/* --duration / -a: seconds to milliseconds, up to a year; negative and NaN refused. */
static void test_duration(void)
{
	const struct {
		const char *const *args;
		uint64_t ms;
	} ok[] = {{ARGS("--duration=0"), 0},
	          {ARGS("--duration=1.5"), 1500},
	          {ARGS("-a", "2"), 2000},
	          {ARGS("--duration=0.0004"), 0},
	          {ARGS("--duration=31536000"), 31536000000ull}};
	static const char msg[] =
	    "--duration must be a number of seconds between 0 and 31536000 (a year)";

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		struct ec_args a = {0};
		struct ec_capture_opts o;

		map_ok(&a, &o, EC_SOURCE_TLS, ok[i].args);
		g_assert_cmpuint(o.duration_ms, ==, ok[i].ms);
		unmap(&a, &o);
	}
	refused(EC_SOURCE_TLS, ARGS("--duration=31536000.5"), msg);
	refused(EC_SOURCE_TLS, ARGS("--duration=-1"), msg);
	refused(EC_SOURCE_TLS, ARGS("--duration=inf"), msg);
	{
		/* NaN, whether the option parser reads "nan" or not */
		struct ec_args a = {.duration = NAN};
		struct ec_capture_opts o;
		g_autoptr(GError) err = NULL;

		ec_capture_opts_init(&o);
		g_assert_cmpint(ec_args_to_capture_opts(&a, &o, &err), ==, -1);
		g_assert_cmpstr(err->message, ==, msg);
		ec_capture_opts_clear(&o);
	}
}

/* The switches and the strings copied as they are. */
static void test_switches_and_strings(void)
{
	struct ec_args a = {0};
	struct ec_capture_opts o;

	map_ok(&a, &o, EC_SOURCE_BASH,
	       ARGS("--unclaimed", "--tc-legacy", "--failed-only", "--bash", "/opt/bash",
	            "--readline", "/opt/libreadline.so.8", "--zsh", "/opt/zsh", "--mysqld",
	            "/opt/mariadbd", "--postgres", "/opt/postgres", "-f", "tcp", "--keylog",
	            "/tmp/keys"));
	g_assert_true(o.write_unclaimed);
	g_assert_true(o.tc_legacy);
	g_assert_true(o.failed_only);
	g_assert_cmpstr(o.bash_path, ==, "/opt/bash");
	g_assert_cmpstr(o.readline_path, ==, "/opt/libreadline.so.8");
	g_assert_cmpstr(o.zsh_path, ==, "/opt/zsh");
	g_assert_cmpstr(o.mysqld_path, ==, "/opt/mariadbd");
	g_assert_cmpstr(o.postgres_path, ==, "/opt/postgres");
	g_assert_cmpstr(o.capture_filter, ==, "tcp");
	g_assert_cmpstr(o.keylog, ==, "/tmp/keys");
	/* copies: the options outlive the arguments */
	g_assert_true(o.bash_path != a.bash && o.keylog != a.keylog);
	ec_args_clear(&a);
	g_assert_cmpstr(o.bash_path, ==, "/opt/bash");
	ec_capture_opts_clear(&o);
}

/* --mode / -m (ecapture-tls): what the pcapng holds. */
static void test_mode(void)
{
	const struct {
		const char *const *args;
		bool packets, records;
	} ok[] = {
	    {ARGS("--mode=packets"), true, false},
	    {ARGS("--mode=plaintext"), false, true},
	    {ARGS("-m", "both"), true, true},
	    {ARGS("--mode=keys", "-w", "out.pcapng"), false, false},
	    {ARGS("--mode=keys", "--keylog", "keys.txt"), false, false},
	    {ARGS("--mode=keys", "--capture"), false, false},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		struct ec_args a = {0};
		struct ec_capture_opts o;

		map_ok(&a, &o, EC_SOURCE_TLS, ok[i].args);
		g_assert_cmpint(o.packets, ==, ok[i].packets);
		g_assert_cmpint(o.records, ==, ok[i].records);
		unmap(&a, &o);
	}
	refused(EC_SOURCE_TLS, ARGS("--mode=keys"),
	        "--mode keys writes to -w FILE or --keylog FILE: give one");
	refused(EC_SOURCE_TLS, ARGS("--mode=Packets"),
	        "unknown mode \"Packets\" (packets, plaintext, both or keys)");
	refused(EC_SOURCE_TLS, ARGS("--mode="),
	        "unknown mode \"\" (packets, plaintext, both or keys)");
}

/* The audit interfaces write records only, whatever --mode says (it is not even checked). */
static void test_mode_audit(void)
{
	static const enum ec_source sources[] = {EC_SOURCE_BASH, EC_SOURCE_ZSH, EC_SOURCE_MYSQLD,
	                                         EC_SOURCE_POSTGRES};
	static const char *const modes[] = {NULL, "packets", "both", "keys", "bogus"};

	for (size_t s = 0; s < G_N_ELEMENTS(sources); s++)
		for (size_t m = 0; m < G_N_ELEMENTS(modes); m++) {
			g_autofree char *arg =
			    modes[m] ? g_strdup_printf("--mode=%s", modes[m]) : NULL;
			const char *const with[] = {arg, NULL};
			struct ec_args a = {0};
			struct ec_capture_opts o;

			map_ok(&a, &o, sources[s], arg ? with : none);
			g_assert_false(o.packets);
			g_assert_true(o.records);
			g_assert_cmpint(o.source, ==, sources[s]);
			unmap(&a, &o);
		}
}

/* Several wrong values: the first in the mapping's order is the one reported. */
static void test_first_error(void)
{
	refused(EC_SOURCE_TLS,
	        ARGS("--text-group=x", "--mode=x", "--duration=-1", "--hold-ms=-1", "--tls-libs=x",
	             "--uid=no-such-user-ec", "--pid=x"),
	        "invalid process ID \"x\"");
	refused(EC_SOURCE_TLS,
	        ARGS("--text-group=x", "--mode=x", "--duration=-1", "--hold-ms=-1", "--tls-libs=x",
	             "--uid=no-such-user-ec"),
	        "unknown user \"no-such-user-ec\"");
	refused(EC_SOURCE_TLS,
	        ARGS("--text-group=x", "--mode=x", "--duration=-1", "--hold-ms=-1", "--tls-libs=x"),
	        "unknown TLS library \"x\" (openssl, gnutls, nss or go)");
	refused(EC_SOURCE_TLS, ARGS("--text-group=x", "--mode=x", "--duration=-1", "--hold-ms=-1"),
	        "--hold-ms must be between 0 and 600000");
	refused(EC_SOURCE_TLS, ARGS("--text-group=x", "--mode=x", "--duration=-1"),
	        "--duration must be a number of seconds between 0 and 31536000 (a year)");
	refused(EC_SOURCE_TLS, ARGS("--text-group=x", "--mode=x"),
	        "unknown mode \"x\" (packets, plaintext, both or keys)");
	refused(EC_SOURCE_BASH, ARGS("--text-group=x", "--mode=x"),
	        "unknown --text-group \"x\" (none or connection)");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/args_map/defaults", test_defaults);
	g_test_add_func("/args_map/extcap_options", test_extcap_options);
	g_test_add_func("/args_map/cli_switches", test_cli_switches);
	g_test_add_func("/args_map/unknown_option", test_unknown_option);
	g_test_add_func("/args_map/not_numbers", test_not_numbers);
	g_test_add_func("/args_map/pid", test_pid);
	g_test_add_func("/args_map/uid", test_uid);
	g_test_add_func("/args_map/paths", test_paths);
	g_test_add_func("/args_map/netif", test_netif);
	g_test_add_func("/args_map/tls_libs", test_tls_libs);
	g_test_add_func("/args_map/hold_ms", test_hold_ms);
	g_test_add_func("/args_map/duration", test_duration);
	g_test_add_func("/args_map/switches_and_strings", test_switches_and_strings);
	g_test_add_func("/args_map/mode", test_mode);
	g_test_add_func("/args_map/mode_audit", test_mode_audit);
	g_test_add_func("/args_map/first_error", test_first_error);
	return g_test_run();
}
