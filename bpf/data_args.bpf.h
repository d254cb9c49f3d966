/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arguments of a library's data call (write/read of plaintext), kept per thread from the
 * call's entry to its return, where the buffer holds what was moved. One map per BPF object
 * that includes this (not shared: each library's calls are its own).
 */
#ifndef EC_DATA_ARGS_BPF_H
#define EC_DATA_ARGS_BPF_H

#include "tls_data.bpf.h"

struct ec_data_args {
	__u64 buf;
	__u64 num;       /* the buffer's size: never read more than that */
	__u64 moved_ptr; /* where the call writes the byte count (OpenSSL's _ex forms); else 0 */
	__u32 dir;       /* EC_DATA_DIR_* */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ec_data_args);
} ec_data_args SEC(".maps");

/* At a data call's entry: keep its arguments for the return, if the capture wants plaintext. */
static __always_inline void ec_data_enter(__u64 buf, __u64 num, __u64 moved_ptr, __u32 dir)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_data_args a = {.buf = buf, .num = num, .moved_ptr = moved_ptr, .dir = dir};

	if (ec_want_data())
		bpf_map_update_elem(&ec_data_args, &id, &a, BPF_ANY);
}

/* At its return: the arguments kept at the entry into OUT; false if none were. */
static __always_inline bool ec_data_take(struct ec_data_args *out)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ec_data_args *a = bpf_map_lookup_elem(&ec_data_args, &id);

	if (!a)
		return false;
	*out = *a;
	bpf_map_delete_elem(&ec_data_args, &id);
	return true;
}

/*
 * A traced data call returns without its arguments or its call record (evicted: more calls in
 * progress at once than the maps hold): its plaintext is lost, and counted.
 */
static __always_inline void ec_data_args_lost(void)
{
	if (ec_want_data())
		ec_stat_inc(EC_STAT_DATA_ARGS_LOST);
}

/* MOVED bytes of a call with arguments A, as ec_emit_tls_data takes them: within the buffer. */
static __always_inline __u32 ec_data_moved(const struct ec_data_args *a, __u64 moved)
{
	if (moved > a->num)
		moved = a->num;
	return moved > 0xffffffffull ? 0xffffffffu : (__u32)moved;
}

#endif
