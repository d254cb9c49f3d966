/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The extcap interfaces ecapturedump offers and what Wireshark is told about each. */
#ifndef EC_INTERFACES_H
#define EC_INTERFACES_H

#include <stdio.h>

#include "capture_opts.h"

struct ec_extcap_iface {
	enum ec_source source; /* what the capture traces */
	const char *name;
	const char *display;
	unsigned int dlt;
	const char *dlt_name;
	const char *dlt_display;
	void (*print_config)(FILE *out);
};

const struct ec_extcap_iface *ec_extcap_iface_find(const char *name);

/* --extcap-interfaces, --extcap-dlts, --extcap-config. */
void ec_extcap_print_interfaces(FILE *out);
void ec_extcap_print_dlts(FILE *out, const struct ec_extcap_iface *iface);
void ec_extcap_print_config(FILE *out, const struct ec_extcap_iface *iface);

#endif
