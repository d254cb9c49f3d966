/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plaintext events for every TLS library module: what a process wrote to or read from a TLS
 * connection, copied from its memory in chunks of size classes (512 B, 4 KiB, 16 KiB) so the
 * ring buffer does not fill with mostly-empty 16 KiB records.
 */
#ifndef EC_TLS_DATA_BPF_H
#define EC_TLS_DATA_BPF_H

#include "tls_conn.bpf.h"

#define EC_DATA_DIR_SENT     0 /* EC_RECORD_DIR_SENT */
#define EC_DATA_DIR_RECEIVED 1 /* EC_RECORD_DIR_RECEIVED */

/* Whether the capture wants plaintext (records or text). */
static __always_inline bool ec_want_data(void)
{
	__u32 zero = 0;
	struct ec_config *cfg = bpf_map_lookup_elem(&ec_config, &zero);

	return cfg && cfg->capture_data;
}

#define EC_EMIT_CLASS(SIZE)                                                                        \
	do {                                                                                       \
		ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev) + (SIZE), 0);                     \
		if (!ev)                                                                           \
			goto lost;                                                                 \
		copy = len;                                                                        \
		barrier_var(copy);                                                                 \
		if (copy > (SIZE))                                                                 \
			copy = (SIZE);                                                             \
		if (bpf_probe_read_user(ev->data, copy, (const char *)buf + off))                  \
			__builtin_memset(ev->data, 0, 1);                                          \
	} while (0)

/* TOTAL bytes at BUF moved through connection CONN, in direction DIR, by library SOURCE. */
static __always_inline void ec_emit_tls_data(__u64 conn, __u64 buf, __u32 total, __u32 dir,
                                             __u8 source)
{
	__s32 fd = ec_tls_fd(conn);
	__u8 flags = total > EC_DATA_MAX ? EC_DATAF_TRUNCATED : 0;

	for (__u32 i = 0; i < EC_DATA_MAX_CHUNKS; i++) {
		struct ec_tls_data_event *ev;
		__u32 off = i * EC_DATA_CHUNK;
		__u64 len, copy;

		if (off >= total)
			break;
		len = total - off;
		if (len > EC_DATA_CHUNK)
			len = EC_DATA_CHUNK;
		if (len <= 512)
			EC_EMIT_CLASS(512);
		else if (len <= 4096)
			EC_EMIT_CLASS(4096);
		else
			EC_EMIT_CLASS(EC_DATA_CHUNK);

		ev->hdr.type = EC_EV_TLS_DATA;
		ev->hdr.reserved = 0;
		ev->hdr.ts_ns = bpf_ktime_get_ns();
		ec_fill_proc(&ev->proc);
		ev->ssl = conn;
		ev->fd = fd;
		ev->dir = dir;
		ev->source = source;
		ev->flags = flags;
		ev->pad = 0;
		ev->total_len = total;
		ev->offset = off;
		ev->len = copy;
		ev->pad2 = 0;
		bpf_ringbuf_submit(ev, ec_rb_flags());
		ec_stat_inc(EC_STAT_DATA_EMITTED);
		continue;
	lost:
		ec_stat_inc(EC_STAT_DATA_DROPPED);
		return;
	}
}

/*
 * One key log line as the library has it, read from the process's memory: LABEL is an enum
 * ec_kl_label, CLIENT_RANDOM the 32-byte random, SECRET SECRET_LEN bytes (at most 64).
 */
static __always_inline void ec_emit_secret(__u64 conn, __u32 label, const void *client_random,
                                           const void *secret, __u32 secret_len, __u8 source)
{
	struct ec_tls_secret_event *ev;
	__u64 n = secret_len; /* 64-bit: no zero-extended copy for the verifier to lose track of */

	barrier_var(n);
	if (n == 0 || n > EC_SECRET_LEN)
		return;
	ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);
	if (!ev) {
		ec_stat_inc(EC_STAT_KEYS_DROPPED);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.type = EC_EV_TLS_SECRET;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->conn_id = conn;
	ev->label = label;
	ev->secret_len = n;
	ev->source = source;
	/* Bounded again right at the use: the verifier forgets a spilled register's range. */
	ec_bound_1_to(n, EC_SECRET_LEN);
	if (bpf_probe_read_user(ev->client_random, EC_RANDOM_LEN, client_random) ||
	    bpf_probe_read_user(ev->secret, n, secret)) {
		bpf_ringbuf_discard(ev, 0);
		ec_stat_inc(EC_STAT_KEYS_READ_FAIL);
		return;
	}
	bpf_ringbuf_submit(ev, ec_rb_flags());
	ec_stat_inc(EC_STAT_KEYS_EMITTED);
}

#endif
