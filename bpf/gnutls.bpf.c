// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GnuTLS uprobes (a C library: uretprobes are fine here).
 * - Keys: when gnutls_handshake returns, or a record call or gnutls_deinit begins, read the
 *   session's secrets with the layout measured for that library (the cookie says which):
 *   TLS 1.3 keeps the derived traffic secrets themselves, TLS 1.2 the master secret. Each (session,
 * label) goes up once, as a key log line (ec_tls_secret_event).
 * - Sockets: the read/write syscalls made inside those calls (tls_conn.bpf.h).
 * - Plaintext: what gnutls_record_send2 (which gnutls_record_send calls) sent and
 *   gnutls_record_recv / gnutls_record_recv_seq returned. Without plaintext the record calls
 *   have no return probe: one breakpoint per call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "data_args.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define EC_SOURCE_GNUTLS 2 /* EC_RECORD_SRC_GNUTLS */
#define GNUTLS_TLS1_3    5
#define MASTER_LEN       48

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EC_MAX_LIBS);
	__type(key, __u32);
	__type(value, struct ec_gnutls_layout);
} ec_gnutls_layouts SEC(".maps");

/* The labels already sent for a session, with the client random they belong to. */
struct seen {
	__u64 random_head;
	__u32 have; /* EC_KL_BIT() per label */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ec_tls_conn_key);
	__type(value, struct seen);
} ec_gnutls_seen SEC(".maps");

#define BIT(label) (1u << (label))
#define ALL_13     (BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5))

static __always_inline __u32 read_u32_at_ptr(const void *session, __s32 ptr_off, __s32 off)
{
	const void *p = NULL;
	__u32 v = 0;

	if (ptr_off < 0 || off < 0 ||
	    bpf_probe_read_user(&p, sizeof(p), (const char *)session + ptr_off) || !p ||
	    bpf_probe_read_user(&v, sizeof(v), (const char *)p + off))
		return 0;
	return v;
}

/* Send LABEL's secret (LEN bytes at SESSION + OFF) unless it is already out or not there. */
static __always_inline __u32 send_secret(const void *session, __s32 off, __u32 label, __u32 len,
                                         __s32 random_off, __u32 have)
{
	const char *s = (const char *)session;
	__u64 head = 0;

	if (off < 0 || (have & BIT(label)) || bpf_probe_read_user(&head, sizeof(head), s + off) ||
	    !head)
		return 0;
	ec_emit_secret((__u64)session, label, s + random_off, s + off, len, EC_SOURCE_GNUTLS);
	return BIT(label);
}

static __always_inline void read_keys(__u64 session_ptr, __u32 lib_id)
{
	const void *session = (const void *)session_ptr;
	const struct ec_gnutls_layout *l = bpf_map_lookup_elem(&ec_gnutls_layouts, &lib_id);
	struct ec_tls_conn_key key = ec_tls_conn_key_of(session_ptr);
	struct seen *seen, now = {};
	__u32 version, hash;

	if (!l || l->client_random < 0 ||
	    bpf_probe_read_user(&now.random_head, sizeof(now.random_head),
	                        (const char *)session + l->client_random) ||
	    !now.random_head)
		return;
	seen = bpf_map_lookup_elem(&ec_gnutls_seen, &key);
	if (seen && seen->random_head == now.random_head) {
		if ((seen->have & BIT(0)) || (seen->have & ALL_13) == ALL_13)
			return; /* all out already: the common, cheap case */
		now.have = seen->have;
	}
	version = read_u32_at_ptr(session, l->version_ptr, l->version_id);
	if (!version)
		return;
	if (version == GNUTLS_TLS1_3) {
		hash = read_u32_at_ptr(session, l->hash_ptr, l->hash_size);
		if (hash != 32 && hash != 48)
			return;
		now.have |= send_secret(session, l->hs_ckey, 1, hash, l->client_random, now.have);
		now.have |= send_secret(session, l->hs_skey, 2, hash, l->client_random, now.have);
		now.have |= send_secret(session, l->ap_ckey, 3, hash, l->client_random, now.have);
		now.have |= send_secret(session, l->ap_skey, 4, hash, l->client_random, now.have);
		now.have |= send_secret(session, l->ap_expkey, 5, hash, l->client_random, now.have);
		if (l->ap_expkey < 0)
			now.have |= BIT(5);
	} else {
		now.have |= send_secret(session, l->master_secret, 0, MASTER_LEN, l->client_random,
		                        now.have);
	}
	if (!seen || seen->random_head != now.random_head || seen->have != now.have)
		bpf_map_update_elem(&ec_gnutls_seen, &key, &now, BPF_ANY);
}

static __always_inline int call_enter(void *session, __u32 lib_id)
{
	if (!session || !ec_proc_allowed())
		return -1;
	ec_tls_call_begin((__u64)session, lib_id, EC_SOURCE_GNUTLS);
	return 0;
}

/* The session of the call that is returning, 0 if it was not traced. */
static __always_inline __u64 call_exit(void)
{
	struct ec_tls_call c;

	if (ec_tls_call_end(&c))
		return 0;
	read_keys(c.conn_id, c.lib_id);
	return c.conn_id;
}

/*
 * A record call whose return is not probed (no plaintext wanted): the keys of a handshake an
 * earlier call finished, and the socket, from the call's syscall.
 */
static __always_inline void data_entry_only(void *session, __u32 lib_id)
{
	if (!session || !ec_proc_allowed())
		return;
	ec_tls_call_mark((__u64)session, lib_id, EC_SOURCE_GNUTLS, 0);
	read_keys((__u64)session, lib_id);
}

SEC("uprobe")
int BPF_KPROBE(ec_gnutls_entry, void *session, void *buf, __u64 num)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 kind = EC_COOKIE_KIND(cookie), lib_id = EC_COOKIE_LIB(cookie);

	if ((kind == EC_GNUTLS_SEND || kind == EC_GNUTLS_RECV) && !ec_want_data()) {
		data_entry_only(session, lib_id);
		return 0;
	}
	switch (kind) {
	case EC_GNUTLS_HANDSHAKE:
		call_enter(session, lib_id);
		break;
	case EC_GNUTLS_SEND:
	case EC_GNUTLS_RECV:
		if (!call_enter(session, lib_id))
			ec_data_enter((__u64)buf, num, 0,
			              kind == EC_GNUTLS_SEND ? EC_DATA_DIR_SENT
			                                     : EC_DATA_DIR_RECEIVED);
		break;
	case EC_GNUTLS_DEINIT:
		if (session) {
			struct ec_tls_conn_key key = ec_tls_conn_key_of((__u64)session);

			/* A handshake done inside the last record call: its keys, before they go.
			 */
			if (ec_proc_allowed())
				read_keys((__u64)session, lib_id);

			ec_tls_forget((__u64)session);
			bpf_map_delete_elem(&ec_gnutls_seen, &key);
		}
		break;
	}
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ec_gnutls_return, long ret)
{
	__u64 cookie = ec_cookie(ctx);
	struct ec_data_args args = {};
	bool have;
	__u64 session;

	switch (EC_COOKIE_KIND(cookie)) {
	case EC_GNUTLS_HANDSHAKE:
		call_exit();
		break;
	case EC_GNUTLS_SEND:
	case EC_GNUTLS_RECV:
		have = ec_data_take(&args);
		session = call_exit();
		if (have != !!session) /* one of the two forgotten in progress */
			ec_data_args_lost();
		if (!have || !session || ret <= 0)
			break;
		ec_emit_tls_data(session, args.buf, ec_data_moved(&args, ret), args.dir,
		                 EC_SOURCE_GNUTLS);
		break;
	}
	return 0;
}
