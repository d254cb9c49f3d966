/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --extcap-config args every interface's dialog shares: the filters and the log. */
#ifndef EC_CONFIG_ARGS_H
#define EC_CONFIG_ARGS_H

#include <stdio.h>

/* Process and user filters, args 0 and 1 on every interface. */
void ec_print_filter_args(FILE *out);

/* Log level and log file, args FIRST and FIRST + 1 (after the interface's own args). */
void ec_print_log_args(FILE *out, int first);

#endif
