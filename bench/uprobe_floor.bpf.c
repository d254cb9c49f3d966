// SPDX-License-Identifier: GPL-2.0-or-later
/* The floor: probes that do nothing, on the functions the OpenSSL module probes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe")
int BPF_KPROBE(floor_entry)
{
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(floor_return)
{
	return 0;
}
