/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Maps shared by every BPF object of a capture. Each object declares them identically; the
 * engine creates them with the first object it loads and hands the same fds to the others
 * (bpf_map__reuse_fd), so all programs feed one ring buffer and see one configuration.
 */
#ifndef EC_MAPS_BPF_H
#define EC_MAPS_BPF_H

#include "ecapture/events.h"

/*
 * What this kernel lacks, set by the one loader from its probes before load
 * (capture/probes/bpf_loader.c). The verifier knows these read-only values, follows only the
 * branch they choose and drops the other unread: a helper or instruction an old kernel does not
 * know may sit on the branch it never takes.
 */
const volatile __u8 ec_no_cookie = 0;       /* no bpf_get_attach_cookie (< 5.15): ec_fixed_cookie */
const volatile __u64 ec_fixed_cookie = 0;   /* the one cookie of a program loaded per probe point */
const volatile __u8 ec_no_task_pt_regs = 0; /* no bpf_task_pt_regs (< 5.15) */

/*
 * LEN, already known to be 1..MAX (MAX a power of two), made provably so to the verifier on the
 * very register a helper gets: clang may otherwise bound a copy of it, or a 32-bit half, and
 * spill the unbounded original. Identity on 1..MAX.
 */
#define ec_bound_1_to(len, max)                                                                    \
	asm volatile("%[v] += -1; %[v] &= %[m]; %[v] += 1" : [v] "+r"(len) : [m] "i"((max)-1))

/* All events, in the order they were produced (sized by userspace before load). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} ec_events SEC(".maps");

/* TCP connections the TC program follows. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ec_flow_key);
	__type(value, struct ec_flow_val);
} ec_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ec_config);
} ec_config SEC(".maps");

/* tgids allowed when ec_config.filter_pids is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EC_PID_FILTER_MAX);
	__type(key, __u32);
	__type(value, __u8);
} ec_filter_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ec_stats SEC(".maps");

/* The TLS library call in progress on each thread (pid_tgid): see tls_conn.bpf.h. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ec_tls_call);
} ec_tls_calls SEC(".maps");

struct ec_tls_conn_key {
	__u32 tgid;
	__u32 pad;
	__u64 conn_id;
};

/* The socket fd of each TLS connection object, once known. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ec_tls_conn_key);
	__type(value, __s32);
} ec_tls_fds SEC(".maps");

/*
 * Ring buffer wake-ups, adaptive: a quiet event wakes the reader at once, a busy stream costs at
 * most one wake-up per EC_WAKE_GAP_NS and object (each an IPI and a context switch, paid by the
 * traced process). The event that finds the last wake-up older than that gap gets flags 0 (the
 * kernel wakes the reader if it has drained the ring); later ones within the gap wake nobody: the
 * reader, after a drain that found events, looks again within the gap (capture/engine/engine.c,
 * EC_BUSY_TICK_MS), so they wait at most that long. A backlog of EC_WAKEUP_BYTES always wakes.
 */
#define EC_WAKEUP_BYTES (256u * 1024u)
#define EC_WAKE_GAP_NS  (2ull * 1000 * 1000)

__u64 ec_last_wake_ns = 0;

static __always_inline __u64 ec_rb_flags(void)
{
	__u64 now;

	if (bpf_ringbuf_query(&ec_events, BPF_RB_AVAIL_DATA) >= EC_WAKEUP_BYTES)
		return BPF_RB_FORCE_WAKEUP;
	now = bpf_ktime_get_ns();
	if (now - ec_last_wake_ns < EC_WAKE_GAP_NS)
		return BPF_RB_NO_WAKEUP;
	ec_last_wake_ns = now; /* a race between CPUs costs one extra wake-up at most */
	return 0;
}

/* The cookie of the uprobe that fired: from the kernel, or the one this program was loaded for. */
static __always_inline __u64 ec_cookie(void *ctx)
{
	return ec_no_cookie ? ec_fixed_cookie : bpf_get_attach_cookie(ctx);
}

static __always_inline void ec_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&ec_stats, &which);

	if (v)
		*v += 1;
}

/* Whether the current task passes the capture's PID/UID filters. */
static __always_inline bool ec_proc_allowed(void)
{
	__u32 zero = 0;
	struct ec_config *cfg = bpf_map_lookup_elem(&ec_config, &zero);

	if (!cfg)
		return false;
	if (cfg->filter_uid && (__u32)bpf_get_current_uid_gid() != cfg->uid)
		return false;
	if (cfg->filter_pids) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		if (!bpf_map_lookup_elem(&ec_filter_pids, &tgid))
			return false;
	}
	return true;
}

static __always_inline void ec_fill_proc(struct ec_proc *p)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();

	p->pid = id >> 32;
	p->tid = (__u32)id;
	p->uid = (__u32)ug;
	p->gid = ug >> 32;
	bpf_get_current_comm(p->comm, sizeof(p->comm));
}

#endif /* EC_MAPS_BPF_H */
