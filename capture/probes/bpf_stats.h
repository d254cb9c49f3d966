/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The BPF programs' counters (ec_stats, per CPU), summed and logged at the end of a capture. */
#ifndef EC_BPF_STATS_H
#define EC_BPF_STATS_H

#include <stdint.h>

#include "probes/bpf_shared.h"

/* One log line: packets and key events sent and lost by the kernel, and BYTES_WRITTEN. */
void ec_bpf_stats_log(const struct ec_bpf_shared *shared, uint64_t bytes_written);

#endif
