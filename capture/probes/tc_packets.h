/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packet side of a capture: the TC program on the chosen interfaces (bpf/tc_capture.bpf.c). */
#ifndef EC_MOD_PACKETS_H
#define EC_MOD_PACKETS_H

#include <stdbool.h>
#include <glib.h>

#include <linux/types.h>

#include "ecapture/events.h"
#include "probes/bpf_shared.h"
#include "targets/netif.h"

struct ec_packets;

struct ec_packets *ec_packets_load(struct ec_bpf_shared *shared, GError **err);

/* Attach to IFS (struct ec_netif): egress everywhere, ingress too except on loopback, where
 * egress already sees every packet once. */
int ec_packets_attach(struct ec_packets *p, GArray *ifs, bool tc_legacy, GError **err);

/* Detach from everything; the counters stay readable until ec_packets_destroy(). */
void ec_packets_detach(struct ec_packets *p);

/* The packets of followed connections taken and lost on IFINDEX, summed over CPUs. 0 or -1. */
int ec_packets_if_count(struct ec_packets *p, unsigned int ifindex, struct ec_if_count *sum);

/* Detach from everything and unload. */
void ec_packets_destroy(struct ec_packets *p);

#endif
