/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interfaces of a capture: the network interfaces packets are taken on (chosen by name or
 * every one that is up), each with its capture filter, and the records' interface.
 */
#ifndef EC_ENGINE_INTERFACES_H
#define EC_ENGINE_INTERFACES_H

#include <glib.h>

#include "engine/engine_int.h"

/* The network interfaces E->opts asks for (struct ec_netif); NULL with ERR set. */
GArray *ec_engine_select_netifs(const struct engine *e, GError **err);

/* Capture on interface IFINDEX of LINKTYPE, with E->opts' capture filter; -1 with ERR set. */
int ec_engine_add_netif(struct engine *e, unsigned int ifindex, const char *name, uint16_t linktype,
                        GError **err);

/* Declare the network interfaces added, then the records' interface if any, to the writer. */
void ec_engine_declare_interfaces(struct engine *e);

/* The interface of IFINDEX, or NULL when we do not capture on it. */
struct out_if *ec_engine_find_netif(const struct engine *e, unsigned int ifindex);

#endif
