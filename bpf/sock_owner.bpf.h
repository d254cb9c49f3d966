/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who owns each local end of a followed connection: the process seen sending or receiving on
 * its socket (the socket tracepoints, or sys_enter on kernels without them: bpf/tls_conn.bpf.c),
 * or about to, when a TLS library call in that process names the socket (tls_conn.bpf.h): the
 * socket tracepoints see a call only once it returned, after its packets went out.
 * The owner is kept in the flow's own entry (ec_flow_val.owner, cleared by the SYN that starts
 * the flow) and told to userspace once: when the first process uses the end, and when a second
 * one does (the end is then shared: its packets name no process). Every process counts, traced
 * or not: a packet names the process of the socket that sent it. Only connections the TC
 * program follows pay more than a lookup.
 */
#ifndef EC_SOCK_OWNER_BPF_H
#define EC_SOCK_OWNER_BPF_H

#include "maps.bpf.h"
#include "sock.bpf.h"

#define EC_PF_KTHREAD  0x00200000
#define EC_IPPROTO_TCP 6

static __always_inline void ec_owner_event(const struct ec_flow_key *flow, int side, __s32 fd,
                                           __u32 other)
{
	struct ec_sock_owner_event *ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);

	if (!ev) {
		ec_stat_inc(EC_STAT_OWNER_DROPPED);
		return;
	}
	ev->hdr.type = EC_EV_SOCK_OWNER;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->flow = *flow;
	ev->fd = fd;
	ev->other_pid = other;
	ev->local_is_a = side;
	ev->shared = other != 0;
	ev->pad = 0;
	bpf_ringbuf_submit(ev, ec_rb_flags());
}

/*
 * The current process uses the socket of FLOW's end SIDE (1 when that end is endpoint a).
 * Returns FLOW's entry if that changes the end's owner (CUR: the owner seen so far), else NULL:
 * FLOW is not followed, or its owner stays. Kernel threads (NFS, kernel TLS) own nothing.
 */
static __always_inline struct ec_flow_val *ec_flow_owner_changes(const struct ec_flow_key *flow,
                                                                 int side, __u32 *cur)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct ec_flow_val *fv = bpf_map_lookup_elem(&ec_flows, flow);

	if (!fv || fv->state == EC_FLOW_IGNORED)
		return NULL;
	/* owner[0] is endpoint a's. */
	*cur = side ? fv->owner[0] : fv->owner[1];
	if (*cur == tgid || *cur == EC_OWNER_SHARED)
		return NULL; /* the common case: one lookup */
	if (BPF_CORE_READ(task, flags) & EC_PF_KTHREAD)
		return NULL;
	return fv;
}

/*
 * The current process sends or receives on SK: ec_flow_owner_changes for SK's flow (FLOW and
 * SIDE filled), NULL also when SK is no connected TCP socket.
 */
static __always_inline struct ec_flow_val *
ec_sock_owner_changes(struct sock *sk, struct ec_flow_key *flow, int *side, __u32 *cur)
{
	if (!sk || BPF_CORE_READ(sk, sk_type) != EC_SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != EC_IPPROTO_TCP)
		return NULL;
	*side = ec_sk_flow(sk, flow);
	if (*side < 0)
		return NULL;
	return ec_flow_owner_changes(flow, *side, cur);
}

/*
 * The change ec_sock_owner_changes found: the current process owns the end, or shares it with
 * CUR. FD: the fd the call used, -1 if not known.
 */
static __always_inline void ec_sock_owner_set(struct ec_flow_val *fv,
                                              const struct ec_flow_key *flow, int side, __u32 cur,
                                              __s32 fd)
{
	__u32 owner = cur ? EC_OWNER_SHARED : bpf_get_current_pid_tgid() >> 32;

	if (side)
		fv->owner[0] = owner;
	else
		fv->owner[1] = owner;
	ec_owner_event(flow, side, fd, cur);
}

#endif
