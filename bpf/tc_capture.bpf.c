// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packet capture at TC (tcx link or clsact, ingress and egress). Follows TCP connections from
 * their SYN, forgets those whose first payload is not a TLS record unless a TLS handshake record
 * starts a payload within the preamble's bound (EC_PREAMBLE_MAX_PKTS, _BYTES: PostgreSQL,
 * MySQL, STARTTLS), and copies the packets of the rest to the ring buffer. A candidate flow's
 * packets are held by userspace until the keys of its TLS session are known (or it is given
 * up); a traced flow's packets go straight out.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flow_key.bpf.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP    0x0800
#define ETH_P_IPV6  0x86DD
#define IPPROTO_TCP 6
#define AF_INET     2
#define AF_INET6    10
#define TC_NEXT     (-1) /* TC_ACT_UNSPEC / TCX_NEXT: the packet goes on untouched */

#define TCP_FIN     0x01
#define TCP_SYN     0x02
#define TCP_RST     0x04
#define TCP_ACK     0x10

/* Interfaces we are attached to: ifindex -> link-layer header length (14 Ethernet, 0 raw IP). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} ec_ifaces SEC(".maps");

/* Per interface: packets of followed connections taken and lost (userspace adds the keys). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct ec_if_count);
} ec_if_counts SEC(".maps");

/*
 * One packet being assembled per CPU (indexed by CPU number; userspace sizes it). A TC program
 * runs with bottom halves disabled and returns before the packet moves on, so a CPU's slot is
 * never in use twice at once. Too large for a per-CPU array (32 KiB limit).
 */
#define EC_PKT_BUF (sizeof(struct ec_packet_event) + EC_SNAPLEN)
struct pkt_buf {
	__u8 raw[EC_PKT_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt_buf);
} ec_pkt_scratch SEC(".maps");

struct pkt_info {
	struct ec_flow_key key;
	__u32 payload_off;
	__u32 payload_len;
	__u8 tcp_flags;
	__u8 from_a;
};

/* Fills pi for a TCP packet; non-zero for anything else. */
static __always_inline int parse_tcp(struct __sk_buff *skb, __u32 l2_len, struct pkt_info *pi)
{
	__u32 src[4] = {}, dst[4] = {};
	__u32 l4, ip_end;
	__u8 family;
	struct tcphdr th;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, l2_len, &ip, sizeof(ip)))
			return -1;
		if (ip.protocol != IPPROTO_TCP || (ip.frag_off & bpf_htons(0x1fff)) || ip.ihl < 5)
			return -1;
		family = AF_INET;
		src[0] = ip.saddr;
		dst[0] = ip.daddr;
		l4 = l2_len + ip.ihl * 4;
		/* tot_len is 0 on some TSO super-packets: the skb length is then authoritative. */
		ip_end = ip.tot_len ? l2_len + bpf_ntohs(ip.tot_len) : skb->len;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, l2_len, &ip6, sizeof(ip6)))
			return -1;
		if (ip6.nexthdr != IPPROTO_TCP)
			return -1;
		family = AF_INET6;
		__builtin_memcpy(src, &ip6.saddr, 16);
		__builtin_memcpy(dst, &ip6.daddr, 16);
		l4 = l2_len + sizeof(ip6);
		ip_end = ip6.payload_len ? l4 + bpf_ntohs(ip6.payload_len) : skb->len;
	} else {
		return -1;
	}

	if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)) || th.doff < 5)
		return -1;
	/* Frames shorter than the IP length are malformed; Ethernet padding beyond it is not
	 * payload. */
	if (ip_end > skb->len)
		ip_end = skb->len;
	pi->payload_off = l4 + th.doff * 4;
	pi->payload_len = ip_end > pi->payload_off ? ip_end - pi->payload_off : 0;
	pi->tcp_flags = (th.fin ? TCP_FIN : 0) | (th.syn ? TCP_SYN : 0) | (th.rst ? TCP_RST : 0) |
	                (th.ack ? TCP_ACK : 0);
	pi->from_a = ec_flow_key_set(&pi->key, family, src, th.source, dst, th.dest);
	return 0;
}

/* The first bytes of a TLS record: content type 20..23, version 3.0..3.4. */
static __always_inline bool tls_record_start(const __u8 *p)
{
	return p[0] >= 20 && p[0] <= 23 && p[1] == 3 && p[2] <= 4;
}

/* A TLS handshake record (a ClientHello, after a plaintext preamble). */
static __always_inline bool tls_handshake_start(const __u8 *p)
{
	return p[0] == 22 && p[1] == 3 && p[2] <= 4;
}

/* Copy the packet to the ring buffer; non-zero (and counted by why) if it was lost. */
static __always_inline int copy_packet(struct __sk_buff *skb, const struct pkt_info *pi, __u8 dir,
                                       __u8 state)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct pkt_buf *buf = bpf_map_lookup_elem(&ec_pkt_scratch, &cpu);
	struct ec_packet_event *ev;
	__u64 caplen = skb->len; /* 64-bit: no zero-extension copy for clang to lose the bound on */

	if (!buf) {
		ec_stat_inc(EC_STAT_PKT_UNREADABLE);
		return -1;
	}
	ev = (void *)buf->raw;
	if (caplen > EC_SNAPLEN)
		caplen = EC_SNAPLEN;
	if (caplen == 0) {
		ec_stat_inc(EC_STAT_PKT_UNREADABLE);
		return -1;
	}
	/* 1..EC_SNAPLEN on the very register the helpers get (6.1's verifier lost the bound). */
	ec_bound_1_to(caplen, EC_SNAPLEN);
	if (bpf_skb_load_bytes(skb, 0, ev->data, caplen)) {
		ec_stat_inc(EC_STAT_PKT_UNREADABLE);
		return -1;
	}

	ev->hdr.type = EC_EV_PACKET;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->flow = pi->key;
	ev->ifindex = skb->ifindex;
	ev->len = skb->len;
	ev->caplen = caplen;
	ev->payload_off = pi->payload_off > 0xffff ? 0xffff : pi->payload_off;
	ev->payload_len = pi->payload_len > 0xffff ? 0xffff : pi->payload_len;
	ev->dir = dir;
	ev->flow_state = state;
	ev->flags = (pi->from_a ? EC_PKTF_FROM_A : 0) |
	            ((pi->tcp_flags & TCP_SYN) ? EC_PKTF_SYN : 0) |
	            ((pi->tcp_flags & (TCP_FIN | TCP_RST)) ? EC_PKTF_FIN : 0) |
	            (caplen < skb->len ? EC_PKTF_TRUNC : 0);
	ev->pad = 0;

	if (bpf_ringbuf_output(&ec_events, ev, sizeof(*ev) + caplen, ec_rb_flags())) {
		ec_stat_inc(EC_STAT_PKT_DROPPED);
		return -1;
	}
	ec_stat_inc(EC_STAT_PKT_EMITTED);
	return 0;
}

/*
 * A packet of a followed connection FV: sent, or counted as lost on its interface, and the
 * connection counted once among those that lost something.
 */
static __always_inline void emit_packet(struct __sk_buff *skb, const struct pkt_info *pi, __u8 dir,
                                        struct ec_flow_val *fv, bool fetch)
{
	__u32 ifindex = skb->ifindex;
	struct ec_if_count *ic = bpf_map_lookup_elem(&ec_if_counts, &ifindex);
	int lost = copy_packet(skb, pi, dir, fv->state);

	if (ic) {
		ic->seen++;
		if (lost)
			ic->lost++;
	}
	/*
	 * Counted once, whichever CPU loses first: an atomic OR on the whole (8-byte aligned)
	 * value, as 32-bit atomics need a newer BPF ISA; bit 32 is lost's lowest on little-endian.
	 */
	if (!lost)
		return;
	if (!fetch) {
		/* Before 5.12 (no atomic fetch, which 5.10 refuses even unreached): two CPUs
		 * losing at the same moment may count it twice. */
		if (!fv->lost) {
			fv->lost = 1;
			ec_stat_inc(EC_STAT_FLOWS_LOST);
		}
	} else if (!(__sync_fetch_and_or((__u64 *)fv, 1ull << 32) & (1ull << 32))) {
		ec_stat_inc(EC_STAT_FLOWS_LOST);
	}
}

/* Stop following a candidate flow and tell userspace to free what it holds of it. */
static __always_inline void give_up(struct ec_flow_val *fv, const struct ec_flow_key *key,
                                    __u32 reason)
{
	struct ec_flow_event *ev;

	fv->state = EC_FLOW_IGNORED;
	ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);
	if (!ev) {
		ec_stat_inc(EC_STAT_FLOW_EV_DROPPED);
		return;
	}
	ev->hdr.type = EC_EV_FLOW_GONE;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->flow = *key;
	ev->reason = reason;
	ev->pad = 0;
	bpf_ringbuf_submit(ev, ec_rb_flags());
}

static __always_inline int handle(struct __sk_buff *skb, __u8 dir, bool fetch)
{
	__u32 ifindex = skb->ifindex;
	__u32 *l2_len = bpf_map_lookup_elem(&ec_ifaces, &ifindex);
	struct ec_flow_val *fv;
	struct pkt_info pi = {};
	bool syn_only, inspect;

	if (!l2_len || parse_tcp(skb, *l2_len, &pi))
		return TC_NEXT;

	fv = bpf_map_lookup_elem(&ec_flows, &pi.key);
	syn_only = (pi.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	/* A SYN starts a new connection, also on a 5-tuple we saw before (port reuse). */
	if (syn_only && (!fv || fv->state != EC_FLOW_CANDIDATE)) {
		struct ec_flow_val nv = {.state = EC_FLOW_CANDIDATE};

		bpf_map_update_elem(&ec_flows, &pi.key, &nv, BPF_ANY);
		fv = bpf_map_lookup_elem(&ec_flows, &pi.key);
		if (!fv) {
			ec_stat_inc(EC_STAT_FLOW_MAP_FULL);
			return TC_NEXT;
		}
		ec_stat_inc(EC_STAT_FLOWS_TRACKED);
	}
	if (!fv)
		return TC_NEXT;

	if (fv->state == EC_FLOW_TRACED) {
		emit_packet(skb, &pi, dir, fv, fetch);
		return TC_NEXT;
	}
	if (fv->state != EC_FLOW_CANDIDATE)
		return TC_NEXT;

	/* The first payload, and every one after a preamble until the ClientHello. */
	inspect =
	    (fv->flags & (EC_FLOWF_PREAMBLE | EC_FLOWF_PAYLOAD_SEEN)) != EC_FLOWF_PAYLOAD_SEEN;
	if (pi.payload_len && inspect) {
		__u8 head[3] = {};

		/* A payload shorter than a record header (PostgreSQL's 'S') is preamble. */
		if (pi.payload_len >= sizeof(head) &&
		    bpf_skb_load_bytes(skb, pi.payload_off, head, sizeof(head))) {
			give_up(fv, &pi.key, EC_GONE_NOT_TLS);
			return TC_NEXT;
		}
		if (!(fv->flags & EC_FLOWF_PAYLOAD_SEEN)) {
			fv->flags |= EC_FLOWF_PAYLOAD_SEEN;
			if (!tls_record_start(head))
				fv->flags |= EC_FLOWF_PREAMBLE;
		} else if (tls_handshake_start(head)) {
			fv->flags &= ~EC_FLOWF_PREAMBLE; /* the ClientHello after the preamble */
		}
		if (fv->flags & EC_FLOWF_PREAMBLE)
			fv->preamble_bytes += pi.payload_len;
	}
	if ((fv->flags & EC_FLOWF_PREAMBLE) &&
	    (fv->pkts >= EC_PREAMBLE_MAX_PKTS || fv->preamble_bytes > EC_PREAMBLE_MAX_BYTES)) {
		give_up(fv, &pi.key, EC_GONE_PREAMBLE);
		return TC_NEXT;
	}
	if (++fv->pkts > EC_CANDIDATE_MAX_PKTS) {
		/* A TLS connection nothing claimed in time: its later packets are not taken. */
		ec_stat_inc(EC_STAT_FLOWS_CUT);
		give_up(fv, &pi.key, EC_GONE_CUT);
		return TC_NEXT;
	}
	emit_packet(skb, &pi, dir, fv, fetch);
	return TC_NEXT;
}

/* The programs, and the same without atomic fetch instructions for kernels before 5.12: the
 * loader loads one pair (probes/bpf_loader.c, ec_bpf_kernel). */
SEC("tc")
int ec_tc_ingress(struct __sk_buff *skb)
{
	return handle(skb, EC_DIR_INGRESS, true);
}

SEC("tc")
int ec_tc_egress(struct __sk_buff *skb)
{
	return handle(skb, EC_DIR_EGRESS, true);
}

SEC("tc")
int ec_tc_ingress_nofetch(struct __sk_buff *skb)
{
	return handle(skb, EC_DIR_INGRESS, false);
}

SEC("tc")
int ec_tc_egress_nofetch(struct __sk_buff *skb)
{
	return handle(skb, EC_DIR_EGRESS, false);
}
