// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/bpf_stats.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <glib.h>

#include "ecapture/events.h"

void ec_bpf_stats_log(const struct ec_bpf_shared *shared, uint64_t bytes_written)
{
	int ncpus = libbpf_num_possible_cpus();
	g_autofree __u64 *vals = NULL;
	__u64 sum[EC_STAT_MAX] = {0};

	if (ncpus <= 0 || shared->fd[EC_MAP_STATS] < 0)
		return;
	vals = g_new0(__u64, ncpus);
	for (__u32 k = 0; k < EC_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(shared->fd[EC_MAP_STATS], &k, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			sum[k] += vals[c];
	}
	g_message("packets: %llu written by the kernel, %llu lost; key events: %llu, %llu lost, "
	          "%llu unreadable; %llu bytes written",
	          (unsigned long long)sum[EC_STAT_PKT_EMITTED],
	          (unsigned long long)sum[EC_STAT_PKT_DROPPED],
	          (unsigned long long)sum[EC_STAT_KEYS_EMITTED],
	          (unsigned long long)sum[EC_STAT_KEYS_DROPPED],
	          (unsigned long long)sum[EC_STAT_KEYS_READ_FAIL],
	          (unsigned long long)bytes_written);
}
