/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the audit probes (shells, database servers) share: the per-target configuration, the
 * text buffers, reading strings of any length out of the traced process, and sending a record.
 */
#ifndef EC_AUDIT_BPF_H
#define EC_AUDIT_BPF_H

#include "maps.bpf.h"

/*
 * A record's event and its text are kept in one map value, the event (which ends in a flexible
 * array) followed by the text's buffer: the data[] of the event is that buffer.
 */
#pragma clang diagnostic ignored "-Wgnu-variable-sized-type-not-at-end"

#define EC_REC_SHELL         2 /* EC_RECORD_SHELL of capture/ec_record.h */
#define EC_REC_SQL           3 /* EC_RECORD_SQL */

#define EC_SQL_KIND_SIMPLE   1 /* EC_SQL_SIMPLE */
#define EC_SQL_KIND_EXTENDED 2 /* EC_SQL_EXTENDED */
#define EC_SQL_KIND_PREPARE  3 /* EC_SQL_PREPARE */

/* What each traced file is (the cookie's target id indexes it); written by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EC_AUDIT_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct ec_audit_target);
} ec_audit_targets SEC(".maps");

/*
 * Measuring a string that does not fit: it is read again past what was kept, this many bytes at
 * a time, up to EC_STRLEN_CHUNKS times (16 MiB); a longer one is reported as that long.
 */
#define EC_STRLEN_CHUNK  16384
#define EC_STRLEN_CHUNKS 1024

struct ec_strlen_buf {
	char b[EC_STRLEN_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ec_strlen_buf);
} ec_strlen_scratch SEC(".maps");

/* Bytes before the NUL of the user string at P (capped at 16 MiB); 0 if it cannot be read. */
static __always_inline __u32 ec_user_strlen(const char *p)
{
	__u32 zero = 0, total = 0;
	struct ec_strlen_buf *buf = bpf_map_lookup_elem(&ec_strlen_scratch, &zero);

	if (!buf)
		return 0;
	for (int i = 0; i < EC_STRLEN_CHUNKS; i++) {
		long n = bpf_probe_read_user_str(buf->b, EC_STRLEN_CHUNK, p + total);

		if (n <= 0)
			break;
		if (n < EC_STRLEN_CHUNK)
			return total + (__u32)n - 1;
		total += EC_STRLEN_CHUNK - 1;
	}
	return total;
}

/*
 * Copy the NUL-terminated user string SRC into DST (room for EC_AUDIT_MAX bytes at least; the
 * verifier must see DST + 2 * EC_AUDIT_MAX within its buffer when OFF is not a constant 0) at
 * offset OFF (< EC_AUDIT_MAX). Returns the string's real length; *COPIED gets the bytes stored
 * (OFF + *COPIED <= EC_AUDIT_MAX).
 */
static __always_inline __u32 ec_copy_user_str(__u8 *dst, __u32 off, const char *src, __u32 *copied)
{
	__u32 room = EC_AUDIT_MAX - off, len;
	long n;

	*copied = 0;
	if (off >= EC_AUDIT_MAX)
		return ec_user_strlen(src);
	n = bpf_probe_read_user_str(dst + (off & (EC_AUDIT_MAX - 1)), EC_AUDIT_MAX, src);
	if (n <= 0)
		return 0;
	len = (__u32)n - 1; /* without the NUL */
	/* A full read may have stopped short of the end: measure the rest. */
	if (len == EC_AUDIT_MAX - 1)
		len += ec_user_strlen(src + EC_AUDIT_MAX - 1);
	*copied = len < room ? len : room;
	if (*copied > EC_AUDIT_MAX - 1)
		*copied = EC_AUDIT_MAX - 1;
	return len;
}

/* The event header of an audit record of the current task. */
static __always_inline void ec_audit_init(struct ec_audit_event *ev, __u8 type, __u8 source,
                                          __u8 subtype)
{
	ev->hdr.type = EC_EV_AUDIT;
	ev->hdr.reserved = 0;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->type = type;
	ev->source = source;
	ev->subtype = subtype;
	ev->flags = 0;
	ev->status = EC_STATUS_UNKNOWN;
	ev->len = 0;
	ev->data_len = 0;
}

/* Send the record EV (its data right behind it, ev->data_len <= EC_AUDIT_MAX). */
static __always_inline void ec_audit_send(struct ec_audit_event *ev)
{
	__u32 n = ev->data_len;

	if (n > EC_AUDIT_MAX)
		n = EC_AUDIT_MAX;
	ev->data_len = n;
	if (ev->len > n)
		ev->flags |= EC_AUDITF_TRUNCATED;
	if (bpf_ringbuf_output(&ec_events, ev, sizeof(*ev) + n, 0))
		ec_stat_inc(EC_STAT_AUDIT_DROPPED);
	else
		ec_stat_inc(EC_STAT_AUDIT_EMITTED);
}

/* The address of symbol VADDR of a target, from the load bias BASE. */
static __always_inline const void *ec_target_addr(__u64 base, __u64 vaddr)
{
	return (const void *)(base + vaddr);
}

/*
 * The load bias of the traced file at a function entry: the probed address minus the
 * function's st_value. Some kernels report the breakpoint's address plus one; the bias of a
 * mapped ELF file is page aligned, which tells the two apart. False if neither fits.
 */
static __always_inline bool ec_load_bias(struct pt_regs *ctx, __u64 fn_vaddr, __u64 *bias)
{
	__u64 ip = PT_REGS_IP(ctx);

	if (!fn_vaddr)
		return false;
	if (((ip - fn_vaddr) & 0xfff) == 0) {
		*bias = ip - fn_vaddr;
		return true;
	}
	if (((ip - 1 - fn_vaddr) & 0xfff) == 0) {
		*bias = ip - 1 - fn_vaddr;
		return true;
	}
	return false;
}

/* How far the stack pointer moves between a function's entry and its return (the return
 * address popped on x86; arm64 returns through the link register). */
#if defined(__TARGET_ARCH_x86)
#define EC_RET_SP_DELTA 8
#else
#define EC_RET_SP_DELTA 0
#endif

#endif /* EC_AUDIT_BPF_H */
