// SPDX-License-Identifier: GPL-2.0-or-later
#include "config_args.h"

void ec_print_filter_args(FILE *out)
{
	fprintf(out,
	        "arg {number=0}{call=--pid}{display=Process IDs}{type=string}"
	        "{tooltip=Only these processes (comma-separated PIDs); empty: every process}"
	        "{validation=^[0-9, ]*$}{group=Filter}\n"
	        "arg {number=1}{call=--uid}{display=User}{type=string}"
	        "{tooltip=Only processes of this user (name or numeric UID); empty: every user}"
	        "{group=Filter}\n");
}

void ec_print_log_args(FILE *out, int first)
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
