// SPDX-License-Identifier: GPL-2.0-or-later
/* The config dialogs of the audit interfaces: shells and database servers. */
#include "interfaces_audit.h"

#include "config_args.h"

static void print_program(FILE *out, int n, const char *call, const char *display,
                          const char *tooltip)
{
	fprintf(out,
	        "arg {number=%d}{call=--%s}{display=%s}{type=fileselect}{mustexist=true}"
	        "{tooltip=%s}{group=Program}\n",
	        n, call, display, tooltip);
}

static void print_failed_only(FILE *out, int n)
{
	fprintf(out,
	        "arg {number=%d}{call=--failed-only}{display=Only failing commands}{type=boolflag}"
	        "{default=false}{tooltip=Keep only the commands whose exit status is not 0}"
	        "{group=Filter}\n",
	        n);
}

void ec_print_bash_config(FILE *out)
{
	ec_print_filter_args(out);
	print_failed_only(out, 2);
	print_program(out, 3, "bash", "bash executable",
	              "The bash to trace; empty: the system's and every running one");
	print_program(out, 4, "readline", "readline library",
	              "The libreadline.so that bash uses, when it has no readline of its own "
	              "(Debian's has); empty: the one bash is linked with");
	ec_print_log_args(out, 5);
}

void ec_print_zsh_config(FILE *out)
{
	ec_print_filter_args(out);
	print_failed_only(out, 2);
	print_program(out, 3, "zsh", "zsh executable",
	              "The zsh to trace; empty: the system's and every running one");
	ec_print_log_args(out, 4);
}

void ec_print_mysqld_config(FILE *out)
{
	ec_print_filter_args(out);
	print_program(out, 2, "mysqld", "Server executable",
	              "The mysqld or mariadbd to trace; empty: those installed and running");
	ec_print_log_args(out, 3);
}

void ec_print_postgres_config(FILE *out)
{
	ec_print_filter_args(out);
	print_program(out, 2, "postgres", "Server executable",
	              "The postgres to trace; empty: those installed and running");
	ec_print_log_args(out, 3);
}
