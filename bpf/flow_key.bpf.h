/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The direction-independent flow key (struct ec_flow_key), built the same way from a packet's
 * source/destination (TC) and from a socket's local/remote ends (probes), so both find the same
 * map entry.
 */
#ifndef EC_FLOW_KEY_BPF_H
#define EC_FLOW_KEY_BPF_H

#include <bpf/bpf_endian.h>
#include "ecapture/events.h"

/* Endpoints compared as big-endian numbers: address words, then port. */
static __always_inline bool ec_ep_less(const __u32 *a, __u16 pa, const __u32 *b, __u16 pb)
{
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 x = bpf_ntohl(a[i]), y = bpf_ntohl(b[i]);

		if (x != y)
			return x < y;
	}
	return bpf_ntohs(pa) < bpf_ntohs(pb);
}

/*
 * Fills KEY from endpoint s (SRC:SPORT) and endpoint d (DST:DPORT), addresses as four network-order
 * words (IPv4 in the first), ports in network order. Returns whether s is endpoint a.
 */
static __always_inline bool ec_flow_key_set(struct ec_flow_key *key, __u8 family, const __u32 *src,
                                            __u16 sport, const __u32 *dst, __u16 dport)
{
	bool s_is_a = !ec_ep_less(dst, dport, src, sport);

	key->family = family;
	if (s_is_a) {
		__builtin_memcpy(key->addr_a, src, 16);
		__builtin_memcpy(key->addr_b, dst, 16);
		key->port_a = sport;
		key->port_b = dport;
	} else {
		__builtin_memcpy(key->addr_a, dst, 16);
		__builtin_memcpy(key->addr_b, src, 16);
		key->port_a = dport;
		key->port_b = sport;
	}
	return s_is_a;
}

#endif
