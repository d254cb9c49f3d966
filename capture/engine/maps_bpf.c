// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine's map writes on the real BPF maps (engine/maps.h). */
#include "engine/maps.h"

#include <errno.h>
#include <bpf/bpf.h>

#include "probes/bpf_shared.h"

static int set_flow_state(void *ctx, const struct ec_flow_key *key, enum ec_flow_state state)
{
	struct ec_bpf_shared *shared = ctx;
	struct ec_flow_val old, v = {.state = state, .flags = EC_FLOWF_PAYLOAD_SEEN};

	/* The connection's loss mark stays (it is counted once), and so do its ends' owners. */
	if (bpf_map_lookup_elem(shared->fd[EC_MAP_FLOWS], key, &old))
		return -1;
	v.lost = old.lost;
	v.owner[0] = old.owner[0];
	v.owner[1] = old.owner[1];
	/* BPF_EXIST: an entry the LRU already evicted stays evicted (a failure is that case). */
	return bpf_map_update_elem(shared->fd[EC_MAP_FLOWS], key, &v, BPF_EXIST) ? -1 : 0;
}

static int filter_pid(void *ctx, uint32_t pid)
{
	struct ec_bpf_shared *shared = ctx;
	__u8 one = 1;

	return bpf_map_update_elem(shared->fd[EC_MAP_FILTER_PIDS], &pid, &one, BPF_ANY) ? -1 : 0;
}

static int unfilter_pid(void *ctx, uint32_t pid)
{
	struct ec_bpf_shared *shared = ctx;

	return bpf_map_delete_elem(shared->fd[EC_MAP_FILTER_PIDS], &pid) ? -1 : 0;
}

static int set_config(void *ctx, const struct ec_config *cfg)
{
	struct ec_bpf_shared *shared = ctx;
	__u32 zero = 0;

	return bpf_map_update_elem(shared->fd[EC_MAP_CONFIG], &zero, cfg, BPF_ANY) ? -1 : 0;
}

void ec_engine_maps_bpf(struct ec_engine_maps *m, struct ec_bpf_shared *shared)
{
	m->ctx = shared;
	m->set_flow_state = set_flow_state;
	m->filter_pid = filter_pid;
	m->unfilter_pid = unfilter_pid;
	m->set_config = set_config;
}
