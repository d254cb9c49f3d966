// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OpenSSL uprobes.
 * - Keys: when a handshake call returns, or a later call on the SSL object begins (a handshake
 *   may happen inside SSL_read/SSL_write), read the TLS secrets out of the SSL object with the
 *   layout measured for that library (the uprobe's cookie says which), and send them up once
 *   per change. Userspace derives the key log lines. Without plaintext the data calls are not
 *   probed at all, nor SSL_get_error, except (entries only) in processes that need them: socket
 *   I/O after SSL_set_connect/accept_state outside a handshake call, keys seen first at
 *   SSL_shutdown or SSL_free, or a call of BIO_f_ssl, tell (ec_tls_want_data_calls).
 * - Ownership: the socket behind an SSL object, from the BIO's fd or, for custom BIOs (curl's),
 *   from the read/write syscall the thread makes inside the SSL call (tls_conn.bpf.h).
 * - Plaintext (when asked for): what SSL_write sent and SSL_read returned.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "data_args.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TLS1_3_VERSION    0x0304
#define EC_SOURCE_OPENSSL 1 /* EC_RECORD_SRC_OPENSSL */
#define EC_DIR_SENT       EC_DATA_DIR_SENT
#define EC_DIR_RECEIVED   EC_DATA_DIR_RECEIVED

/* Layout of each traced library, indexed by the uprobe cookie. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EC_MAX_LIBS);
	__type(key, __u32);
	__type(value, struct ec_ssl_layout);
} ec_ssl_layouts SEC(".maps");

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

/* Where the client random is: in the SSL, or (OpenSSL 1.1.1) behind its s3 pointer. */
static __always_inline const void *random_base(const void *ssl, const struct ec_ssl_layout *l)
{
	const void *s3 = NULL;

	if (l->s3 < 0)
		return ssl;
	if (read_field(&s3, sizeof(s3), ssl, l->s3))
		return NULL;
	return s3;
}

static __always_inline bool nonzero8(const __u8 *p)
{
	return *(const __u64 *)p != 0;
}

static __always_inline struct ssl_key ssl_key_of(__u64 ssl)
{
	struct ssl_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .ssl = ssl};

	return k;
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

/* Send the SSL object's secrets up if they changed: the SEEN_* bits it sent, else 0. */
static __always_inline __u32 read_keys(__u64 ssl_ptr, __u32 lib_id)
{
	const void *ssl = (const void *)ssl_ptr;
	const struct ec_ssl_layout *l = bpf_map_lookup_elem(&ec_ssl_layouts, &lib_id);
	struct ssl_key key = ssl_key_of(ssl_ptr);
	struct ssl_seen *seen, now = {};
	struct ec_tls_keys_event *ev;
	const void *session = NULL, *rnd = NULL;

	if (!l || !(rnd = random_base(ssl, l)) ||
	    read_field(&now.random_head, sizeof(now.random_head), rnd, l->client_random) ||
	    !now.random_head)
		return 0;
	seen = bpf_map_lookup_elem(&ec_ssl_seen, &key);
	if (seen && seen->random_head == now.random_head &&
	    ((seen->have & SEEN_DONE_13) == SEEN_DONE_13 || (seen->have & SEEN_DONE_12)))
		return 0; /* this session's secrets went up already: the common, cheap case */

	ev = bpf_ringbuf_reserve(&ec_events, sizeof(*ev), 0);
	if (!ev) {
		ec_stat_inc(EC_STAT_KEYS_DROPPED);
		return 0;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.type = EC_EV_TLS_KEYS;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ec_fill_proc(&ev->proc);
	ev->ssl = ssl_ptr;
	ev->lib_id = lib_id;
	if (read_field(ev->client_random, sizeof(ev->client_random), rnd, l->client_random) ||
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
		return 0;
	}
	bpf_map_update_elem(&ec_ssl_seen, &key, &now, BPF_ANY);
	bpf_ringbuf_submit(ev, ec_rb_flags());
	ec_stat_inc(EC_STAT_KEYS_EMITTED);
	return now.have;
fail:
	bpf_ringbuf_discard(ev, 0);
	ec_stat_inc(EC_STAT_KEYS_READ_FAIL);
	return 0;
}

/* The fd of the SSL object's socket BIO, when it has one and we don't know the fd yet. */
static __always_inline void try_bio_fd(__u64 ssl_ptr, __u32 lib_id)
{
	const struct ec_ssl_layout *l = bpf_map_lookup_elem(&ec_ssl_layouts, &lib_id);
	const void *bio = NULL;
	__s32 fd = -1;

	if (!l || ec_tls_fd_known(ssl_ptr))
		return;
	if (read_field(&bio, sizeof(bio), (const void *)ssl_ptr, l->rbio) || !bio ||
	    read_field(&fd, sizeof(fd), bio, l->bio_num) || fd < 0)
		return;
	ec_tls_note_fd(ssl_ptr, fd, EC_SOURCE_OPENSSL);
}

static __always_inline int call_enter(void *ssl, __u32 lib_id)
{
	if (!ssl || !ec_proc_allowed())
		return -1;
	ec_tls_call_begin((__u64)ssl, lib_id, EC_SOURCE_OPENSSL);
	try_bio_fd((__u64)ssl, lib_id);
	return 0;
}

/*
 * The entry of a data call whose return is not probed (no plaintext wanted): the keys of a
 * handshake an earlier call finished, and the socket, from the BIO or the call's syscall.
 */
static __always_inline void data_entry_only(void *ssl, __u32 lib_id)
{
	if (!ssl || !ec_proc_allowed())
		return;
	try_bio_fd((__u64)ssl, lib_id);
	ec_tls_call_mark((__u64)ssl, lib_id, EC_SOURCE_OPENSSL, 0);
	read_keys((__u64)ssl, lib_id);
}

/* Returns the SSL * of the call that is returning, 0 if it was not traced. */
static __always_inline __u64 call_exit(void)
{
	struct ec_tls_call c;

	if (ec_tls_call_end(&c))
		return 0;
	read_keys(c.conn_id, c.lib_id);
	return c.conn_id;
}

/* Return of a data call with arguments A; RET is its return value register. */
static __always_inline void data_exit(long ret, const struct ec_data_args *a)
{
	__u64 ssl, moved = 0;

	ssl = call_exit();
	if (!ssl) {
		ec_data_args_lost(); /* the call was forgotten in progress */
		return;
	}
	/* Both forms return an int: only the low 32 bits of the register mean anything. */
	if (a->moved_ptr) {
		/* SSL_read_ex/SSL_write_ex: 1 on success, the count through a size_t *. */
		if ((int)ret != 1 ||
		    bpf_probe_read_user(&moved, sizeof(moved), (void *)a->moved_ptr))
			return;
	} else {
		if ((int)ret <= 0)
			return;
		moved = (int)ret;
	}
	ec_emit_tls_data(ssl, a->buf, ec_data_moved(a, moved), a->dir, EC_SOURCE_OPENSSL);
}

/*
 * A fresh or reset SSL object (malloc may hand out a freed one's address): forget what we knew
 * of the old one, so its new connection is looked up and reported anew.
 */
static __always_inline void forget_ssl(__u64 ssl)
{
	struct ssl_key key = ssl_key_of(ssl);

	ec_tls_forget(ssl);
	bpf_map_delete_elem(&ec_ssl_seen, &key);
}

/* The entry of every probed function; the cookie says which library and which function. */
SEC("uprobe")
int BPF_KPROBE(ec_ssl_entry, void *ssl, void *buf, __u64 num, void *moved)
{
	__u64 cookie = ec_cookie(ctx);
	__u32 lib_id = EC_COOKIE_LIB(cookie);

	if (EC_COOKIE_KIND(cookie) >= EC_FN_READ && EC_COOKIE_KIND(cookie) <= EC_FN_WRITE_EX &&
	    !ec_want_data()) {
		data_entry_only(ssl, lib_id);
		return 0;
	}
	switch (EC_COOKIE_KIND(cookie)) {
	case EC_FN_HANDSHAKE:
		call_enter(ssl, lib_id);
		break;
	case EC_FN_READ:
	case EC_FN_WRITE:
		/* int num: only the low half of the register is the argument. */
		if (!call_enter(ssl, lib_id))
			ec_data_enter((__u64)buf, (int)num > 0 ? (int)num : 0, 0,
			              EC_COOKIE_KIND(cookie) == EC_FN_READ ? EC_DIR_RECEIVED
			                                                   : EC_DIR_SENT);
		break;
	case EC_FN_READ_EX:
	case EC_FN_WRITE_EX:
		if (!call_enter(ssl, lib_id))
			ec_data_enter((__u64)buf, num, (__u64)moved,
			              EC_COOKIE_KIND(cookie) == EC_FN_READ_EX ? EC_DIR_RECEIVED
			                                                      : EC_DIR_SENT);
		break;
	case EC_FN_CLEAR:
		if (ssl)
			forget_ssl((__u64)ssl);
		break;
	case EC_FN_BIO_SSL:
		if (!ec_want_data() && ec_proc_allowed())
			ec_tls_want_data_calls(lib_id, EC_SOURCE_OPENSSL);
		break;
	case EC_FN_SET_STATE:
		if (ssl && !ec_want_data() && ec_proc_allowed())
			ec_tls_call_mark((__u64)ssl, lib_id, EC_SOURCE_OPENSSL,
			                 EC_CALLF_WATCH_HANDSHAKE);
		break;
	case EC_FN_AFTER_IO:
		/* Not a call on the connection (no plaintext, no syscall to follow): its keys, and
		 * its socket from the BIO. Cheap when the keys went up already. */
		if (ssl && ec_proc_allowed()) {
			try_bio_fd((__u64)ssl, lib_id);
			/* A finished handshake's keys, not seen at a handshake call's return. */
			if ((read_keys((__u64)ssl, lib_id) & (SEEN_MASTER | SEEN_APP)) &&
			    !ec_want_data())
				ec_tls_want_data_calls(lib_id, EC_SOURCE_OPENSSL);
		}
		break;
	}
	return 0;
}

/* The return of every probed function. */
SEC("uretprobe")
int BPF_KRETPROBE(ec_ssl_return, long ret)
{
	__u64 cookie = ec_cookie(ctx);
	struct ec_data_args args = {};

	switch (EC_COOKIE_KIND(cookie)) {
	case EC_FN_HANDSHAKE:
		call_exit();
		break;
	case EC_FN_READ:
	case EC_FN_WRITE:
	case EC_FN_READ_EX:
	case EC_FN_WRITE_EX:
		if (ec_data_take(&args))
			data_exit(ret, &args);
		else if (call_exit())
			ec_data_args_lost();
		break;
	case EC_FN_NEW:
		if (ret)
			forget_ssl((__u64)ret);
		break;
	}
	return 0;
}
