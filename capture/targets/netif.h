/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network interfaces the TC programs can attach to, with their pcapng link types. */
#ifndef EC_NETIF_H
#define EC_NETIF_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <glib.h>

struct ec_netif {
	unsigned int ifindex;
	char name[IF_NAMESIZE];
	bool up;
	bool loopback;
	bool supported;    /* a link type we can write */
	uint16_t linktype; /* EC_LINKTYPE_* (ecapture/linktype.h) */
	uint32_t l2_len;   /* link-layer header bytes before the IP header at TC */
	unsigned int arphrd;
};

/* Every interface of this network namespace; a GArray of struct ec_netif. */
GArray *ec_netif_list(GError **err);

/* The one named NAME in LIST, or NULL. */
const struct ec_netif *ec_netif_find(GArray *list, const char *name);

#endif
