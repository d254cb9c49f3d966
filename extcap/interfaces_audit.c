// SPDX-License-Identifier: GPL-2.0-or-later
/* The config dialogs of the audit interfaces: shells and database servers. */
#include "interfaces_audit.h"

/* Process and user filters (args 0 and 1), the same on every audit interface. */
static void print_filters(FILE *out)
{
	fprintf(out,
	        "arg {number=0}{call=--pid}{display=Process IDs}{type=string}"
	        "{tooltip=Only these processes (comma-separated PIDs); empty: every process}"
	        "{validation=^[0-9, ]*$}{group=Filter}\n"
	        "arg {number=1}{call=--uid}{display=User}{type=string}"
	        "{tooltip=Only processes of this user (name or numeric UID); empty: every user}"
	        "{group=Filter}\n");
}

/* Log level and file, after the interface's own args (FIRST is the first free number). */
static void print_debug(FILE *out, int first)
{
	fprintf(out,
	        "arg {number=%d}{call=--log-level}{display=Log level}{type=selector}"
	        "{tooltip=How much ecapturedump writes to its log file}{group=Debug}\n"
	        "value {arg=%d}{value=message}{display=Messages}{default=true}\n"
	        "value {arg=%d}{value=info}{display=Info}{default=false}\n"
	        "value {arg=%d}{value=debug}{display=Debug}{default=false}\n"
	        "arg {number=%d}{call=--log-file}{display=Log file}{type=fileselect}"
	        "{mustexist=false}{tooltip=Where ecapturedump logs what it traces and why it "
	        "skips something}{group=Debug}\n",
	        first, first, first, first, first + 1);
}

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
	print_filters(out);
	print_failed_only(out, 2);
	print_program(out, 3, "bash", "bash executable",
	              "The bash to trace; empty: the system's and every running one");
	print_program(out, 4, "readline", "readline library",
	              "The libreadline.so that bash uses, when it has no readline of its own "
	              "(Debian's has); empty: the one bash is linked with");
	print_debug(out, 5);
}

void ec_print_zsh_config(FILE *out)
{
	print_filters(out);
	print_failed_only(out, 2);
	print_program(out, 3, "zsh", "zsh executable",
	              "The zsh to trace; empty: the system's and every running one");
	print_debug(out, 4);
}

void ec_print_mysqld_config(FILE *out)
{
	print_filters(out);
	print_program(out, 2, "mysqld", "Server executable",
	              "The mysqld or mariadbd to trace; empty: those installed and running");
	print_debug(out, 3);
}

void ec_print_postgres_config(FILE *out)
{
	print_filters(out);
	print_program(out, 2, "postgres", "Server executable",
	              "The postgres to trace; empty: those installed and running");
	print_debug(out, 3);
}
