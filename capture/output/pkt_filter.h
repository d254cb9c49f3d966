/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pcap capture filter (Wireshark's capture filter) applied to packets before they are written. */
#ifndef EC_PKT_FILTER_H
#define EC_PKT_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ec_pkt_filter;

/* Compiled for LINKTYPE; NULL with ERR set if EXPR is not valid. */
struct ec_pkt_filter *ec_pkt_filter_new(const char *expr, int linktype, GError **err);

bool ec_pkt_filter_match(const struct ec_pkt_filter *f, const uint8_t *data, uint32_t caplen,
                         uint32_t len);

void ec_pkt_filter_free(struct ec_pkt_filter *f);

#endif
