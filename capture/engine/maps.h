/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the engine writes into the kernel's maps, behind function pointers: the real one
 * (maps_bpf.c) wraps libbpf, a unit test puts in one that records the calls, so the handlers
 * run without BPF maps or root.
 */
#ifndef EC_ENGINE_MAPS_H
#define EC_ENGINE_MAPS_H

#include <stdint.h>
#include <linux/types.h>

#include "ecapture/events.h"

struct ec_bpf_shared;

struct ec_engine_maps {
	void *ctx;
	/*
	 * The verdict on a flow the TC program follows (EC_FLOW_TRACED or EC_FLOW_IGNORED). Only
	 * an entry still there is updated: one the LRU already evicted stays evicted. 0, or -1
	 * with errno set (ENOENT: evicted).
	 */
	int (*set_flow_state)(void *ctx, const struct ec_flow_key *key, enum ec_flow_state state);
	/* Let the probes trace process PID (the PID filter). 0, or -1 with errno set. */
	int (*filter_pid)(void *ctx, uint32_t pid);
	/* No longer: PID leaves the PID filter. 0, or -1 with errno set (ENOENT: not in it). */
	int (*unfilter_pid)(void *ctx, uint32_t pid);
	/* The capture's configuration for every BPF program. 0, or -1 with errno set. */
	int (*set_config)(void *ctx, const struct ec_config *cfg);
};

/* The maps of SHARED (which must outlive M). */
void ec_engine_maps_bpf(struct ec_engine_maps *m, struct ec_bpf_shared *shared);

#endif
