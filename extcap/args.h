/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line of ecapturedump: Wireshark's extcap calls and the standalone CLI, one parser. */
#ifndef EC_ARGS_H
#define EC_ARGS_H

#include <glib.h>

#include "capture_opts.h"

struct ec_args {
	/* The extcap protocol. */
	gboolean extcap_interfaces;
	gboolean extcap_dlts;
	gboolean extcap_config;
	gboolean capture;
	char *extcap_interface;
	char *extcap_version;
	char *extcap_reload_option;
	char *fifo;
	char *capture_filter;
	char *control_in;
	char *control_out;
	char *log_level;
	char *log_file;
	/* Capture options (the config dialog's arguments, and the CLI's). */
	char **pid;
	char *uid;
	char **libssl;
	char **tls_libs; /* openssl, gnutls, nss, go (comma-separated; repeatable) */
	char **libgnutls;
	char **libnspr;
	char **gobin;
	char **netif;
	char *bash;     /* audit interfaces: the program to trace */
	char *readline; /* bash's libreadline */
	char *zsh;
	char *mysqld;
	char *postgres;
	gboolean failed_only;
	int hold_ms;
	gboolean tc_legacy;
	char *mode; /* packets, plaintext, both */
	char *write;
	char *keylog;
	double duration;
	gboolean verbose;
	gboolean version;
	gboolean list_targets;
	gboolean unclaimed;
	/* Text output: none (default) or connection. */
	char *text_group;
	char *help_text; /* --help output, for the CLI */
};

/* Parses ARGV; on error ERR says which argument is wrong. */
int ec_args_parse(int argc, char **argv, struct ec_args *a, GError **err);

/*
 * Validates and converts the capture options (PIDs exist, the user exists, ...). O must have been
 * initialised with ec_capture_opts_init.
 */
int ec_args_to_capture_opts(const struct ec_args *a, struct ec_capture_opts *o, GError **err);

/*
 * "1,2 3" -> 1 2 3 appended to OUT: positive numbers of processes that exist; "" -> none. A pid
 * already in OUT is not added again; more than EC_CAPTURE_PIDS_MAX distinct pids are refused.
 */
int ec_args_parse_pid_list(const char *text, GArray *out, GError **err);

/* A user's number or name -> its uid. */
int ec_args_parse_uid(const char *s, uint32_t *uid, GError **err);

void ec_args_clear(struct ec_args *a);

#endif
