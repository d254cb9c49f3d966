/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The BPF programs' counters (ec_stats, per CPU), summed: what the kernel sent and every kind of
 * event it lost, read while the capture runs and logged at its end.
 */
#ifndef EC_BPF_STATS_H
#define EC_BPF_STATS_H

#include <stdint.h>
#include <glib.h>
#include <linux/types.h>

#include "ecapture/events.h"
#include "probes/bpf_shared.h"

/* SUM[k] = counter k summed over CPUs. 0, or -1 with errno set (SUM is then all zero). */
int ec_bpf_stats_read(const struct ec_bpf_shared *shared, uint64_t sum[EC_STAT_MAX]);

/* Append every kind of event the kernel lost in SUM, "N what, ..."; nothing when none was. */
void ec_bpf_stats_describe_loss(GString *s, const uint64_t sum[EC_STAT_MAX]);

/* Every event the kernel lost in SUM, whatever its kind. */
uint64_t ec_bpf_stats_lost(const uint64_t sum[EC_STAT_MAX]);

/* One log line: what the kernel sent and lost (SUM), and BYTES_WRITTEN. */
void ec_bpf_stats_log(const uint64_t sum[EC_STAT_MAX], uint64_t bytes_written);

#endif
