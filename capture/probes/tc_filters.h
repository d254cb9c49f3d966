/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TC filters on one clsact hook, as the kernel lists them (an rtnetlink dump): libbpf can
 * only ask about one filter whose handle and priority it already knows, but a sweep must find
 * the filters of captures it knows nothing of.
 */
#ifndef EC_TC_FILTERS_H
#define EC_TC_FILTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ec_tc_filter {
	uint32_t handle;
	uint16_t priority;
	uint32_t prog_id; /* a BPF filter's program, else 0 */
};

/* Fill OUT (struct ec_tc_filter) with the filters on IFINDEX's clsact INGRESS/egress hook. */
int ec_tc_list_filters(unsigned int ifindex, bool ingress, GArray *out, GError **err);

#endif
