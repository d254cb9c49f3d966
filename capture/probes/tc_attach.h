/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching a TC program to one hook of one interface. Preferred: a tcx link (kernel >= 6.6),
 * which the kernel removes when our process dies, whatever the way. Fallback: a clsact qdisc
 * filter, which outlives a killed process: each capture's filters carry its pid, so concurrent
 * captures leave each other's alone, and the next start sweeps those of captures that are gone
 * (and a clsact qdisc one of them created, once nothing is on it).
 */
#ifndef EC_TC_ATTACH_H
#define EC_TC_ATTACH_H

#include <stdbool.h>
#include <glib.h>

/* Not in libbpf 1.1's headers; the kernel has had them since 6.6. */
#define EC_BPF_TCX_INGRESS 46
#define EC_BPF_TCX_EGRESS  47

struct ec_tc_link {
	unsigned int ifindex;
	bool ingress;
	bool legacy; /* clsact filter instead of a tcx link */
	int link_fd; /* tcx link, -1 when legacy */
};

/* Attach PROG_FD. FORCE_LEGACY skips tcx (for kernels without it, and for tests). */
int ec_tc_attach(int prog_fd, unsigned int ifindex, bool ingress, bool force_legacy,
                 struct ec_tc_link *out, GError **err);

/* Detach; for legacy links the qdisc goes too if one of our captures created it, that capture
 * is this one or gone, and nothing else is on it. */
void ec_tc_detach(struct ec_tc_link *link);

/* Remove the clsact filters on IFINDEX of our captures that are no longer running (and the
 * qdisc one of them created, once unused). Returns how many filters. */
int ec_tc_sweep_stale(unsigned int ifindex);

#endif
