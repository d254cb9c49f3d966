/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching a TC program to one hook of one interface. Preferred: a tcx link (kernel >= 6.6),
 * which the kernel removes when our process dies, whatever the way. Fallback: a clsact qdisc
 * filter, which outlives a killed process; leftovers of ours are swept at the next start.
 */
#ifndef EC_TC_ATTACH_H
#define EC_TC_ATTACH_H

#include <stdbool.h>
#include <glib.h>

struct ec_tc_link {
	unsigned int ifindex;
	bool ingress;
	bool legacy;        /* clsact filter instead of a tcx link */
	bool created_qdisc; /* we created the clsact qdisc (legacy only) */
	int link_fd;        /* tcx link, -1 when legacy */
};

/* Attach PROG_FD. FORCE_LEGACY skips tcx (for kernels without it, and for tests). */
int ec_tc_attach(int prog_fd, unsigned int ifindex, bool ingress, bool force_legacy,
                 struct ec_tc_link *out, GError **err);

/* Detach; for legacy links the qdisc goes too if we created it and nothing else uses it. */
void ec_tc_detach(struct ec_tc_link *link);

/* Remove clsact filters a killed earlier run of ours left on IFINDEX. Returns how many. */
int ec_tc_sweep_stale(unsigned int ifindex);

#endif
