// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes/bpf_stats.h"

#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

int ec_bpf_stats_read(const struct ec_bpf_shared *shared, uint64_t sum[EC_STAT_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	g_autofree __u64 *vals = NULL;

	memset(sum, 0, sizeof(uint64_t) * EC_STAT_MAX);
	if (ncpus <= 0 || shared->fd[EC_MAP_STATS] < 0) {
		errno = ncpus < 0 ? -ncpus : EBADF;
		return -1;
	}
	vals = g_new0(__u64, ncpus);
	for (__u32 k = 0; k < EC_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(shared->fd[EC_MAP_STATS], &k, vals))
			return -1;
		for (int c = 0; c < ncpus; c++)
			sum[k] += vals[c];
	}
	return 0;
}

/* The kinds of loss, in the order they are named. */
static const struct {
	enum ec_stat stat;
	const char *what;
} lost_kinds[] = {
    {EC_STAT_PKT_DROPPED, "packets (ring buffer full)"},
    {EC_STAT_PKT_UNREADABLE, "packets not copyable"},
    {EC_STAT_KEYS_DROPPED, "key events (ring buffer full)"},
    {EC_STAT_KEYS_READ_FAIL, "key reads failed"},
    {EC_STAT_DATA_DROPPED, "plaintext chunks (ring buffer full)"},
    {EC_STAT_DATA_ARGS_LOST, "plaintext of calls forgotten in progress (too many at once)"},
    {EC_STAT_AUDIT_DROPPED, "commands or queries (ring buffer full)"},
    {EC_STAT_CONN_DROPPED, "connection owner events (ring buffer full)"},
    {EC_STAT_OWNER_DROPPED, "socket owner events (ring buffer full)"},
    {EC_STAT_FLOW_EV_DROPPED, "flow notices (ring buffer full)"},
    {EC_STAT_LIB_DROPPED, "new library or program events (ring buffer full)"},
    {EC_STAT_FLOW_MAP_FULL, "connections not followed (flow map full)"},
    {EC_STAT_FLOWS_CUT,
     "TLS connections cut unclaimed after " G_STRINGIFY(EC_CANDIDATE_MAX_PKTS) " packets"},
};

uint64_t ec_bpf_stats_lost(const uint64_t sum[EC_STAT_MAX])
{
	uint64_t n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(lost_kinds); i++)
		n += sum[lost_kinds[i].stat];
	return n;
}

void ec_bpf_stats_describe_loss(GString *s, const uint64_t sum[EC_STAT_MAX])
{
	for (size_t i = 0; i < G_N_ELEMENTS(lost_kinds); i++) {
		uint64_t n = sum[lost_kinds[i].stat];

		if (!n)
			continue;
		g_string_append_printf(s, "%s%llu %s", s->len ? ", " : "", (unsigned long long)n,
		                       lost_kinds[i].what);
	}
	if (sum[EC_STAT_FLOWS_LOST])
		g_string_append_printf(s, "%s%llu connection(s) missing packets",
		                       s->len ? ", " : "",
		                       (unsigned long long)sum[EC_STAT_FLOWS_LOST]);
}

void ec_bpf_stats_log(const uint64_t sum[EC_STAT_MAX], uint64_t bytes_written)
{
	g_autoptr(GString) lost = g_string_new(NULL);

	ec_bpf_stats_describe_loss(lost, sum);
	g_message("packets: %llu written by the kernel, %llu lost; key events: %llu, %llu lost, "
	          "%llu unreadable; plaintext chunks: %llu, %llu lost; %llu bytes written; "
	          "kernel losses: %s",
	          (unsigned long long)sum[EC_STAT_PKT_EMITTED],
	          (unsigned long long)(sum[EC_STAT_PKT_DROPPED] + sum[EC_STAT_PKT_UNREADABLE]),
	          (unsigned long long)sum[EC_STAT_KEYS_EMITTED],
	          (unsigned long long)sum[EC_STAT_KEYS_DROPPED],
	          (unsigned long long)sum[EC_STAT_KEYS_READ_FAIL],
	          (unsigned long long)sum[EC_STAT_DATA_EMITTED],
	          (unsigned long long)sum[EC_STAT_DATA_DROPPED], (unsigned long long)bytes_written,
	          lost->len ? lost->str : "none");
}
