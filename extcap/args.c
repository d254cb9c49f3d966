// SPDX-License-Identifier: GPL-2.0-or-later
#include "args.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/*
 * When parsing fails, the options after the bad one are not read: but Wireshark waits on the
 * FIFO until we open it, so take --capture and --fifo from ARGV as they are.
 */
static void rescue_fifo(int argc, char **argv, struct ec_args *a)
{
	for (int i = 1; i < argc && argv[i]; i++) {
		if (!strcmp(argv[i], "--capture"))
			a->capture = TRUE;
		else if (!a->fifo && !strcmp(argv[i], "--fifo") && i + 1 < argc && argv[i + 1])
			a->fifo = g_strdup(argv[i + 1]);
		else if (!a->fifo && !strncmp(argv[i], "--fifo=", 7))
			a->fifo = g_strdup(argv[i] + 7);
	}
}

int ec_args_parse(int argc, char **argv, struct ec_args *a, GError **err)
{
	const GOptionEntry extcap_entries[] = {
	    {"extcap-interfaces", 0, 0, G_OPTION_ARG_NONE, &a->extcap_interfaces,
	     "List the extcap interfaces", NULL},
	    {"extcap-interface", 0, 0, G_OPTION_ARG_STRING, &a->extcap_interface,
	     "The interface to use (as -i)", "IFACE"},
	    {"extcap-dlts", 0, 0, G_OPTION_ARG_NONE, &a->extcap_dlts,
	     "List the DLTs of the interface", NULL},
	    {"extcap-config", 0, 0, G_OPTION_ARG_NONE, &a->extcap_config,
	     "List the configuration options of the interface", NULL},
	    {"extcap-version", 0, 0, G_OPTION_ARG_STRING, &a->extcap_version, "Wireshark's version",
	     "VERSION"},
	    {"extcap-reload-option", 0, 0, G_OPTION_ARG_STRING, &a->extcap_reload_option,
	     "Reload the values of an option", "OPTION"},
	    {"capture", 0, 0, G_OPTION_ARG_NONE, &a->capture, "Start the capture", NULL},
	    {"fifo", 0, 0, G_OPTION_ARG_FILENAME, &a->fifo, "Write pcapng to this FIFO", "PATH"},
	    {"extcap-capture-filter", 'f', 0, G_OPTION_ARG_STRING, &a->capture_filter,
	     "Capture filter (pcap syntax) for the written packets", "FILTER"},
	    {"extcap-control-in", 0, 0, G_OPTION_ARG_FILENAME, &a->control_in,
	     "Control pipe from Wireshark", "PATH"},
	    {"extcap-control-out", 0, 0, G_OPTION_ARG_FILENAME, &a->control_out,
	     "Control pipe to Wireshark", "PATH"},
	    {"log-level", 0, 0, G_OPTION_ARG_STRING, &a->log_level,
	     "Log level: error, warning, message, info, debug", "LEVEL"},
	    {"log-file", 0, 0, G_OPTION_ARG_FILENAME, &a->log_file, "Also log to this file",
	     "PATH"},
	    G_OPTION_ENTRY_NULL,
	};
	const GOptionEntry capture_entries[] = {
	    {"pid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->pid,
	     "Only these processes (comma-separated; repeatable)", "PID[,PID...]"},
	    {"uid", 0, 0, G_OPTION_ARG_STRING, &a->uid, "Only processes of this user", "UID|NAME"},
	    {"libssl", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->libssl,
	     "Also trace this OpenSSL libssl (repeatable)", "PATH"},
	    {"tls-libs", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->tls_libs,
	     "Trace only these TLS libraries (comma-separated; default: all that are found)",
	     "openssl,gnutls,nss,go"},
	    {"libgnutls", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->libgnutls,
	     "Also trace this GnuTLS libgnutls (repeatable)", "PATH"},
	    {"libnspr", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->libnspr,
	     "Also trace this NSPR libnspr4 (NSS programs; repeatable)", "PATH"},
	    {"gobin", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->gobin,
	     "Also trace this Go executable, running or not (repeatable)", "PATH"},
	    {"bash", 0, 0, G_OPTION_ARG_FILENAME, &a->bash,
	     "ecapture-bash: trace this bash (default: the system's and every running one)",
	     "PATH"},
	    {"readline", 0, 0, G_OPTION_ARG_FILENAME, &a->readline,
	     "ecapture-bash: bash's libreadline, when bash has no readline of its own", "PATH"},
	    {"zsh", 0, 0, G_OPTION_ARG_FILENAME, &a->zsh,
	     "ecapture-zsh: trace this zsh (default: the system's and every running one)", "PATH"},
	    {"failed-only", 0, 0, G_OPTION_ARG_NONE, &a->failed_only,
	     "ecapture-bash, ecapture-zsh: only commands that failed (exit status not 0)", NULL},
	    {"mysqld", 0, 0, G_OPTION_ARG_FILENAME, &a->mysqld,
	     "ecapture-mysqld: trace this mysqld or mariadbd (default: those installed and "
	     "running)",
	     "PATH"},
	    {"postgres", 0, 0, G_OPTION_ARG_FILENAME, &a->postgres,
	     "ecapture-postgres: trace this postgres (default: those installed and running)",
	     "PATH"},
	    {"netif", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->netif,
	     "Capture packets on these interfaces (comma-separated; default: all that are up)",
	     "IF[,IF...]"},
	    {"hold-ms", 0, 0, G_OPTION_ARG_INT, &a->hold_ms,
	     "How long a new connection's packets wait for its keys (default 3000)", "MS"},
	    {"unclaimed", 0, 0, G_OPTION_ARG_NONE, &a->unclaimed,
	     "Also write TLS connections no traced library gave keys for, undecrypted, their "
	     "first packets commented with why (default: left out, counted and named in the log)",
	     NULL},
	    {"tc-legacy", 0, 0, G_OPTION_ARG_NONE, &a->tc_legacy,
	     "Attach with clsact filters instead of tcx links", NULL},
	    {"mode", 'm', 0, G_OPTION_ARG_STRING, &a->mode,
	     "What the pcapng holds: packets with their keys (the default), plaintext records of "
	     "what SSL_read/SSL_write moved, both, or only the keys (no packets are captured: "
	     "Decryption Secrets Blocks with -w, lines with --keylog)",
	     "packets|plaintext|both|keys"},
	    {"write", 'w', 0, G_OPTION_ARG_FILENAME, &a->write,
	     "Write pcapng to FILE (- for stdout); without -w and --keylog, plaintext is printed "
	     "as text",
	     "FILE"},
	    {"text-group", 0, 0, G_OPTION_ARG_STRING, &a->text_group,
	     "Text output: print the records of a connection together, when it ends or at the "
	     "end of the capture (at most 256 KiB of a connection held; a line says where it is "
	     "cut), instead of as they come",
	     "none|connection"},
	    {"keylog", 0, 0, G_OPTION_ARG_FILENAME, &a->keylog,
	     "Append TLS key log lines (SSLKEYLOGFILE format) to FILE", "FILE"},
	    {"duration", 'a', 0, G_OPTION_ARG_DOUBLE, &a->duration, "Stop after this many seconds",
	     "SECONDS"},
	    {"interface", 'i', 0, G_OPTION_ARG_STRING, &a->extcap_interface,
	     "What to capture: ecapture-tls (the default), ecapture-bash, ecapture-zsh, "
	     "ecapture-mysqld, ecapture-postgres",
	     "IFACE"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &a->verbose, "Log more", NULL},
	    {"list-targets", 0, 0, G_OPTION_ARG_NONE, &a->list_targets,
	     "List what the interface would trace (each file, its version, where its keys come "
	     "from, the processes using it) and what it would skip, with the reason; then exit",
	     NULL},
	    {"version", 0, 0, G_OPTION_ARG_NONE, &a->version, "Print the version", NULL},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- eBPF TLS capture for Wireshark");
	GOptionGroup *extcap = g_option_group_new(
	    "extcap", "Wireshark extcap interface:", "Show the extcap options", a, NULL);

	g_option_context_set_summary(
	    ctx, "Captures the packets of TLS connections made through OpenSSL, GnuTLS, NSS or\n"
	         "Go on this host, with their keys in Decryption Secrets Blocks, as pcapng.\n"
	         "Run by Wireshark as the \"eCapture TLS\" interface, or standalone:\n\n"
	         "  ecapturedump                        # plaintext per connection, as text\n"
	         "  ecapturedump -w out.pcapng          # then: wireshark out.pcapng\n"
	         "  ecapturedump -w - | tshark -r - -Y http\n"
	         "  ecapturedump --keylog keys.txt      # SSLKEYLOGFILE for any tool\n"
	         "  ecapturedump -i ecapture-bash       # bash commands (also -zsh, -mysqld,\n"
	         "                                      # -postgres), as text or with -w");
	g_option_context_add_main_entries(ctx, capture_entries, NULL);
	g_option_group_add_entries(extcap, extcap_entries);
	g_option_context_add_group(ctx, extcap);
	a->help_text = g_option_context_get_help(ctx, FALSE, NULL);
	/* The parser removes what it read from argv: keep the list it was given. */
	g_autofree char **given = g_memdup2(argv, sizeof(char *) * (size_t)(argc + 1));

	if (g_option_context_parse(ctx, &argc, &argv, err))
		return 0;
	rescue_fifo(g_strv_length(given), given, a);
	return -1;
}

static bool pid_listed(const GArray *pids, pid_t pid)
{
	for (guint i = 0; i < pids->len; i++)
		if (g_array_index(pids, pid_t, i) == pid)
			return true;
	return false;
}

int ec_args_parse_pid_list(const char *text, GArray *out, GError **err)
{
	g_auto(GStrv) parts = g_strsplit_set(text, ", ", -1);

	for (char **p = parts; *p; p++) {
		char *end;
		long v;
		pid_t pid;

		if (!**p)
			continue;
		errno = 0;
		v = strtol(*p, &end, 10);
		if (errno || *end || v <= 0 || v > 0x3fffffff) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "invalid process ID \"%s\"", *p);
			return -1;
		}
		pid = (pid_t)v;
		if (kill(pid, 0) != 0 && errno == ESRCH) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "process %d does not exist", pid);
			return -1;
		}
		/* Each process once: a repeated pid would multiply its probes. */
		if (pid_listed(out, pid))
			continue;
		if (out->len >= EC_CAPTURE_PIDS_MAX) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "at most %d processes can be traced by pid",
			            EC_CAPTURE_PIDS_MAX);
			return -1;
		}
		g_array_append_val(out, pid);
	}
	return 0;
}

/* "1,2" "3" -> 1 2 3; every element must be a positive integer. */
static int parse_pids(char **items, GArray *out, GError **err)
{
	for (char **it = items; it && *it; it++)
		if (ec_args_parse_pid_list(*it, out, err))
			return -1;
	return 0;
}

int ec_args_parse_uid(const char *s, uint32_t *uid, GError **err)
{
	char *end;
	unsigned long v;
	struct passwd *pw;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!errno && *s && !*end && v < 0xffffffffUL) {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(s);
	if (!pw) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown user \"%s\"",
		            s);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

/* Repeatable options whose values may also be comma-separated lists. */
static char **split_lists(char **items, const char *seps)
{
	GPtrArray *out = g_ptr_array_new();

	for (char **it = items; it && *it; it++) {
		g_auto(GStrv) parts = g_strsplit_set(*it, seps, -1);

		for (char **p = parts; *p; p++)
			if (**p)
				g_ptr_array_add(out, g_strdup(*p));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* "openssl,go" -> EC_TLSLIB_OPENSSL | EC_TLSLIB_GO; nothing given: every library. */
static int parse_tls_libs(char **items, uint32_t *out, GError **err)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} libs[] = {{"openssl", EC_TLSLIB_OPENSSL},
	            {"gnutls", EC_TLSLIB_GNUTLS},
	            {"nss", EC_TLSLIB_NSS},
	            {"go", EC_TLSLIB_GO}};
	g_auto(GStrv) names = split_lists(items, ", ");
	uint32_t bits = 0;

	for (char **n = names; *n; n++) {
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(libs); i++)
			if (!g_ascii_strcasecmp(*n, libs[i].name))
				break;
		if (i == G_N_ELEMENTS(libs)) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "unknown TLS library \"%s\" (openssl, gnutls, nss or go)", *n);
			return -1;
		}
		bits |= libs[i].bit;
	}
	*out = bits ? bits : EC_TLSLIB_ALL;
	return 0;
}

int ec_args_to_capture_opts(const struct ec_args *a, struct ec_capture_opts *o, GError **err)
{
	if (parse_pids(a->pid, o->pids, err))
		return -1;
	if (a->uid && *a->uid) {
		if (ec_args_parse_uid(a->uid, &o->uid, err))
			return -1;
		o->filter_uid = true;
	}
	o->libssl = split_lists(a->libssl, ",");
	o->libgnutls = split_lists(a->libgnutls, ",");
	o->libnspr = split_lists(a->libnspr, ",");
	o->gobin = split_lists(a->gobin, ",");
	if (parse_tls_libs(a->tls_libs, &o->tls_libs, err))
		return -1;
	o->netifs = split_lists(a->netif, ", ");
	if (a->hold_ms < 0 || a->hold_ms > 600000) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--hold-ms must be between 0 and 600000");
		return -1;
	}
	if (a->hold_ms > 0)
		o->hold_ms = a->hold_ms;
	o->write_unclaimed = a->unclaimed;
	if (!(a->duration >= 0 && a->duration <= 31536000.0)) { /* NaN fails both */
		g_set_error(
		    err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--duration must be a number of seconds between 0 and 31536000 (a year)");
		return -1;
	}
	o->duration_ms = (uint64_t)(a->duration * 1000.0);
	o->tc_legacy = a->tc_legacy;
	if (o->source != EC_SOURCE_TLS) {
		/* Shells and databases: records are all there is. */
		o->packets = false;
		o->records = true;
	} else if (!a->mode || !strcmp(a->mode, "packets")) {
		o->packets = true;
		o->records = false;
	} else if (!strcmp(a->mode, "plaintext")) {
		o->packets = false;
		o->records = true;
	} else if (!strcmp(a->mode, "both")) {
		o->packets = true;
		o->records = true;
	} else if (!strcmp(a->mode, "keys")) {
		if (!a->write && !a->keylog && !a->capture) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "--mode keys writes to -w FILE or --keylog FILE: give one");
			return -1;
		}
		o->packets = false;
		o->records = false;
	} else {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "unknown mode \"%s\" (packets, plaintext, both or keys)", a->mode);
		return -1;
	}
	if (!a->text_group || !strcmp(a->text_group, "none")) {
		o->text_group = false;
	} else if (!strcmp(a->text_group, "connection")) {
		o->text_group = true;
	} else {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "unknown --text-group \"%s\" (none or connection)", a->text_group);
		return -1;
	}
	o->bash_path = g_strdup(a->bash);
	o->readline_path = g_strdup(a->readline);
	o->zsh_path = g_strdup(a->zsh);
	o->mysqld_path = g_strdup(a->mysqld);
	o->postgres_path = g_strdup(a->postgres);
	o->failed_only = a->failed_only;
	o->capture_filter = g_strdup(a->capture_filter);
	o->keylog = g_strdup(a->keylog);
	return 0;
}

void ec_args_clear(struct ec_args *a)
{
	g_free(a->extcap_interface);
	g_free(a->extcap_version);
	g_free(a->extcap_reload_option);
	g_free(a->fifo);
	g_free(a->capture_filter);
	g_free(a->control_in);
	g_free(a->control_out);
	g_free(a->log_level);
	g_free(a->log_file);
	g_strfreev(a->pid);
	g_free(a->uid);
	g_strfreev(a->libssl);
	g_strfreev(a->tls_libs);
	g_strfreev(a->libgnutls);
	g_strfreev(a->libnspr);
	g_strfreev(a->gobin);
	g_strfreev(a->netif);
	g_free(a->bash);
	g_free(a->readline);
	g_free(a->zsh);
	g_free(a->mysqld);
	g_free(a->postgres);
	g_free(a->mode);
	g_free(a->text_group);
	g_free(a->write);
	g_free(a->keylog);
	g_free(a->help_text);
	memset(a, 0, sizeof(*a));
}
