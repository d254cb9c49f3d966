// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OpenSSL uprobes: when a handshake, read or write call returns, read the TLS secrets out of the
 * SSL object with the layout measured for that library (the uprobe's cookie says which), and
 * send them up once per change. Userspace derives the key log lines.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TLS1_3_VERSION 0x0304

/* Layout of each traced library, indexed by the uprobe cookie. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EC_MAX_LIBS);
	__type(key, __u32);
	__type(value, struct ec_ssl_layout);
} ec_ssl_layouts SEC(".maps");

/* The SSL * of the SSL_* call in progress on each thread (read back by the return probe). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} ec_ssl_args SEC(".maps");

struct ssl_key {
	__u32 tgid;
	__u32 pad;
	__u64 ssl;
};

/* What was last sent for an SSL object, so each session's secrets go up once. */
struct ssl_seen {
	__u64 random_head; /* first 8 bytes of the client random */
	__u32 have;        /* SEEN_* bits */
	__u32 pad;
};

#define SEEN_MASTER  (1u << 0)
#define SEEN_HS      (1u << 1)
#define SEEN_APP     (1u << 2)
#define SEEN_EXPORT  (1u << 3)
#define SEEN_CIPHER  (1u << 4)
#define SEEN_DONE_12 SEEN_MASTER
#define SEEN_DONE_13 (SEEN_HS | SEEN_APP | SEEN_EXPORT | SEEN_CIPHER)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, struct ssl_seen);
} ec_ssl_seen SEC(".maps");

static __always_inline int read_field(void *dst, __u32 size, const void *base, __s32 off)
{
	if (off < 0)
		return -1;
	return bpf_probe_read_user(dst, size, (const char *)base + off);
}

static __always_inline bool nonzero8(const __u8 *p)
{
	return *(const __u64 *)p != 0;
}

static __always_inline __u32 read_cipher_id(const void *ssl, const struct ec_ssl_layout *l)
{
	const void *session = NULL, *cipher = NULL;
	__u32 id = 0;

	if (read_field(&session, sizeof(session), ssl, l->session) || !session)
		return 0;
	if (read_field(&cipher, sizeof(cipher), session, l->session_cipher) || !cipher)
		return 0;
	if (read_field(&id, sizeof(id), cipher, l->cipher_id))
		return 0;
	return id;
}

static __always_inline void read_keys(__u64 ssl_ptr, __u32 lib_id)
{
	const void *ssl = (const void *)ssl_ptr;
	const struct ec_ssl_layout *l = bpf_map_lookup_elem(&ec_ssl_layouts, &lib_id);
	struct ssl_key key = {.tgid = bpf_get_current_pid_tgid() >> 32, .ssl = ssl_ptr};
	struct ssl_seen *seen, now = {};
	struct ec_tls_keys_event *ev;
	const void *session = NULL;

	if (!l || read_field(&now.random_head, sizeof(now.random_head), ssl, l->client_random) ||
	    !now.random_head)
		return;
	seen = bpf_map_lookup_elem(&ec_ssl_seen, &key);
	if (seen && seen->random_head == now.random_head &&
	    ((seen->have & SEEN_DONE_13) == SEEN_DONE_13 || (seen->have & SEEN_DONE_12)))
		return; /* this session's secrets went up already: the common, cheap case */

	ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);
	if (!ev) {
		ec_stat_inc(EC_STAT_KEYS_DROPPED);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.type = EC_EV_TLS_KEYS;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->ssl = ssl_ptr;
	ev->lib_id = lib_id;
	if (read_field(ev->client_random, sizeof(ev->client_random), ssl, l->client_random) ||
	    read_field(&ev->version, sizeof(ev->version), ssl, l->version))
		goto fail;
	ev->cipher_id = read_cipher_id(ssl, l);
	if (ev->cipher_id)
		now.have |= SEEN_CIPHER;

	if (ev->version == TLS1_3_VERSION) {
		read_field(ev->handshake_secret, EC_SECRET_LEN, ssl, l->handshake_secret);
		read_field(ev->handshake_traffic_hash, EC_SECRET_LEN, ssl,
		           l->handshake_traffic_hash);
		read_field(ev->client_app_traffic_secret, EC_SECRET_LEN, ssl,
		           l->client_app_traffic_secret);
		read_field(ev->server_app_traffic_secret, EC_SECRET_LEN, ssl,
		           l->server_app_traffic_secret);
		read_field(ev->exporter_master_secret, EC_SECRET_LEN, ssl,
		           l->exporter_master_secret);
		if (nonzero8(ev->handshake_secret) && nonzero8(ev->handshake_traffic_hash))
			now.have |= SEEN_HS;
		if (nonzero8(ev->client_app_traffic_secret) &&
		    nonzero8(ev->server_app_traffic_secret))
			now.have |= SEEN_APP;
		if (nonzero8(ev->exporter_master_secret))
			now.have |= SEEN_EXPORT;
	} else {
		if (!read_field(&session, sizeof(session), ssl, l->session) && session &&
		    !read_field(ev->master_key, sizeof(ev->master_key), session,
		                l->session_master_key) &&
		    nonzero8(ev->master_key))
			now.have |= SEEN_MASTER;
	}

	/* Nothing new since the last event for this session: don't wake userspace. */
	if (seen && seen->random_head == now.random_head && seen->have == now.have) {
		bpf_ringbuf_discard(ev, 0);
		return;
	}
	bpf_map_update_elem(&ec_ssl_seen, &key, &now, BPF_ANY);
	bpf_ringbuf_submit(ev, 0);
	ec_stat_inc(EC_STAT_KEYS_EMITTED);
	return;
fail:
	bpf_ringbuf_discard(ev, 0);
	ec_stat_inc(EC_STAT_KEYS_READ_FAIL);
}

/* Entry of SSL_do_handshake/connect/accept/read/write(_ex): remember the SSL *. */
SEC("uprobe")
int BPF_KPROBE(ec_ssl_enter, void *ssl)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ptr = (__u64)ssl;

	if (!ssl || !ec_proc_allowed())
		return 0;
	bpf_map_update_elem(&ec_ssl_args, &id, &ptr, BPF_ANY);
	return 0;
}

/* Their return: the secrets of a finished handshake are in the SSL object now. */
SEC("uretprobe")
int BPF_KRETPROBE(ec_ssl_exit)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *ptr = bpf_map_lookup_elem(&ec_ssl_args, &id);

	if (!ptr)
		return 0;
	read_keys(*ptr, (__u32)bpf_get_attach_cookie(ctx));
	return 0;
}
